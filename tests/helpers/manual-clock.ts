/** A Clock the test moves by hand: time stands still until `advance()` runs the timers due. */
import type { Clock, TimerHandle } from '../../main/core/util/clock.ts';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), callback };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle.id);
  }

  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Timers not fired yet, as delays from now. */
  pending(): number[] {
    return this.#timers.map((timer) => timer.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward without running any timer, as a blocked event loop does. */
  block(ms: number): void {
    this.#now += ms;
  }

  /** Moves time forward by `ms`, running every timer due on the way (and those they set), in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#timers
        .filter((timer) => timer.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = end;
  }

  /** Let promise callbacks run, then advance: for async code that awaits between timers. */
  async advanceAsync(ms: number, step = ms): Promise<void> {
    for (let passed = 0; passed < ms; passed += step) {
      await flushMicrotasks();
      this.advance(Math.min(step, ms - passed));
    }
    await flushMicrotasks();
  }
}

/** Let pending promise callbacks (and a few rounds of I/O callbacks) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
