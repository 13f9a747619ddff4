import type { Clock, TimerHandle } from '../../main/core/util/clock.ts';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

/** A clock tests move by hand: timers fire in order as `advance` passes their time. */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #pending: Pending[] = [];

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#pending.push({ id, at: this.#now + Math.max(0, ms), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.id !== handle.id);
  }

  /** Move time forward, firing every timer due on the way (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#pending
        .filter((p) => p.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p.id !== due.id);
      this.#now = due.at;
      due.callback();
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#pending.length;
  }
}
