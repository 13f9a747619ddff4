import type { Clock, TimerHandle } from './clock.ts';

/**
 * One timer per name on an injected clock: setting a name replaces its timer, so a phase's
 * timeout can never fire twice, and everything a state owned can be cleared in one call.
 */
export class NamedTimers<Name extends string> {
  readonly #clock: Clock;
  readonly #timers = new Map<Name, TimerHandle>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  set(name: Name, ms: number, callback: () => void): void {
    this.clear(name);
    this.#timers.set(
      name,
      this.#clock.setTimeout(() => {
        this.#timers.delete(name);
        callback();
      }, ms),
    );
  }

  has(name: Name): boolean {
    return this.#timers.has(name);
  }

  clear(name: Name): void {
    const handle = this.#timers.get(name);
    if (handle) this.#clock.clearTimeout(handle);
    this.#timers.delete(name);
  }

  /** Clear every timer but the ones named in `keep`. */
  clearAll(keep: readonly Name[] = []): void {
    for (const name of [...this.#timers.keys()]) {
      if (!keep.includes(name)) this.clear(name);
    }
  }
}
