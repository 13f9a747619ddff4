/**
 * The geometry of a variable-height virtual list: where each row starts, from the heights
 * measured so far and an estimate for rows never rendered. A full build is O(n) (a few ms for
 * 10 000 rows, most of it the key index); `next` builds the layout after a change from the one
 * before it, taking over its key index and offsets and recomputing offsets only from the first
 * row that changed, so a streaming reply at the end of 10 000 rows costs O(1) per sentence.
 * Lookups are O(1) or O(log n).
 */

export interface RowRange {
  /** First row to render. */
  readonly start: number;
  /** One past the last row to render. */
  readonly end: number;
}

export class RowLayout {
  readonly #keys: readonly string[];
  readonly #estimate: number;
  readonly #count: number;
  /** Where each row starts, and the total after the last; room to grow beyond `#count + 1`. */
  readonly #offsets: Float64Array;
  readonly #indexByKey: Map<string, number>;

  /**
   * @param keys the rows' stable keys, in display order
   * @param heightOf a measured height for a key, if there is one
   * @param estimate the height assumed for rows not measured yet
   */
  constructor(
    keys: readonly string[],
    heightOf: (key: string) => number | undefined,
    estimate: number,
    reuse?: { readonly from: RowLayout; readonly firstChanged: number },
  ) {
    this.#keys = keys;
    this.#estimate = estimate;
    this.#count = keys.length;
    let first = 0;
    let indexed = 0;
    if (reuse === undefined) {
      this.#indexByKey = new Map<string, number>();
      this.#offsets = new Float64Array(keys.length + 1);
    } else {
      const from = reuse.from;
      first = Math.min(reuse.firstChanged, from.count, keys.length);
      indexed = from.count;
      // The old layout's map and offsets: it is not read again, and what it had stays valid
      // up to `first`. Offsets grow by doubling, so rows arriving one by one copy them rarely.
      this.#indexByKey = from.#indexByKey;
      if (from.#offsets.length > keys.length) {
        this.#offsets = from.#offsets;
      } else {
        this.#offsets = new Float64Array(Math.max(keys.length + 1, from.#offsets.length * 2));
        this.#offsets.set(from.#offsets.subarray(0, first + 1));
      }
    }
    for (let index = first; index < keys.length; index += 1) {
      const key = keys[index] ?? '';
      if (index >= indexed) this.#indexByKey.set(key, index);
      this.#offsets[index + 1] = (this.#offsets[index] ?? 0) + (heightOf(key) ?? estimate);
    }
  }

  /**
   * The layout after a change, built from this one when the rows it had kept their keys and
   * places (rows changed content, rows were added after them): then only the offsets from
   * `firstChanged` (the first row added or re-measured) are recomputed. Otherwise (rows removed,
   * added before, reordered) a full build. This layout must not be used afterwards: the new one
   * takes over its key index.
   */
  next(
    keys: readonly string[],
    heightOf: (key: string) => number | undefined,
    estimate: number,
    firstChanged: number,
  ): RowLayout {
    const kept =
      estimate === this.#estimate &&
      keys.length >= this.count &&
      (keys === this.#keys || this.#keys.every((key, index) => keys[index] === key));
    return kept
      ? new RowLayout(keys, heightOf, estimate, { from: this, firstChanged })
      : new RowLayout(keys, heightOf, estimate);
  }

  get count(): number {
    return this.#count;
  }

  /** The height of all rows together. */
  get total(): number {
    return this.#offsets[this.count] ?? 0;
  }

  /** Where row `index` starts (clamped to the list). */
  offsetOf(index: number): number {
    const clamped = Math.min(Math.max(index, 0), this.count);
    return this.#offsets[clamped] ?? 0;
  }

  indexOfKey(key: string): number | undefined {
    return this.#indexByKey.get(key);
  }

  /** The row that contains vertical position `y`; positions past either end clamp to it. */
  indexAt(y: number): number {
    if (this.count === 0) return 0;
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.#offsets[mid] ?? 0) <= y) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** The rows to render for a viewport, with `overscan` extra rows on each side. */
  range(scrollTop: number, viewportHeight: number, overscan: number): RowRange {
    if (this.count === 0) return { start: 0, end: 0 };
    const first = this.indexAt(scrollTop);
    const last = this.indexAt(scrollTop + Math.max(viewportHeight, 0));
    return {
      start: Math.max(0, first - overscan),
      end: Math.min(this.count, last + 1 + overscan),
    };
  }
}
