/**
 * The geometry of a variable-height virtual list: where each row starts, from the heights
 * measured so far and an estimate for rows never rendered. Built once per change of rows or
 * measurements (O(n), about 0.1 ms for 10 000 rows); lookups are O(1) or O(log n).
 */

export interface RowRange {
  /** First row to render. */
  readonly start: number;
  /** One past the last row to render. */
  readonly end: number;
}

export class RowLayout {
  readonly #offsets: Float64Array;
  readonly #indexByKey = new Map<string, number>();

  /**
   * @param keys the rows' stable keys, in display order
   * @param heightOf a measured height for a key, if there is one
   * @param estimate the height assumed for rows not measured yet
   */
  constructor(
    keys: readonly string[],
    heightOf: (key: string) => number | undefined,
    estimate: number,
  ) {
    this.#offsets = new Float64Array(keys.length + 1);
    keys.forEach((key, index) => {
      this.#indexByKey.set(key, index);
      this.#offsets[index + 1] = (this.#offsets[index] ?? 0) + (heightOf(key) ?? estimate);
    });
  }

  get count(): number {
    return this.#offsets.length - 1;
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
