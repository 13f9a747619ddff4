/** A clock the test moves by hand: `advance(ms)` fires due timers in order. */
import type { Clock, TimerHandle } from '../../../main/core/util/clock.ts';

interface Pending {
  readonly handle: TimerHandle;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #pending: Pending[] = [];
  #nextId = 0;

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = { id: this.#nextId++ };
    this.#pending.push({ handle, at: this.#now + ms, callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p.handle !== handle);
  }

  /** Moves time forward, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = this.#pending
        .filter((p) => p.at <= end)
        .sort((a, b) => a.at - b.at || Number(a.handle.id) - Number(b.handle.id))[0];
      if (!due) break;
      this.#pending = this.#pending.filter((p) => p !== due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
  }

  get pendingCount(): number {
    return this.#pending.length;
  }
}
