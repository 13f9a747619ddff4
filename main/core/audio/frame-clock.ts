/**
 * A drift-free frame clock: tick n is due at `start + n·period` on the injected Clock, and each
 * timer is set for the time left until the next due tick. `setInterval(period)` would instead
 * add each callback's lateness to every later tick and drift. discord.js voice paces its frames
 * the same way.
 */
import type { Clock, TimerHandle } from '../util/clock.ts';
import { SECOND } from '../util/clock.ts';

/**
 * Further behind than this (a suspended laptop, a stalled event loop) the clock re-anchors at
 * the current time instead of firing every missed tick at once.
 */
export const DEFAULT_MAX_LAG_MS = SECOND;

export interface FrameClockOptions {
  readonly periodMs: number;
  readonly maxLagMs?: number;
}

/** Calls `onTick(index, dueAt)` for ticks 0, 1, 2 … at `start + index·periodMs`. */
export class FrameClock {
  readonly periodMs: number;
  readonly #clock: Clock;
  readonly #maxLagMs: number;
  readonly #onTick: (index: number, dueAt: number) => void;
  #anchor = 0;
  #anchorIndex = 0;
  #index = 0;
  #timer: TimerHandle | null = null;
  #running = false;

  constructor(
    clock: Clock,
    options: FrameClockOptions,
    onTick: (index: number, dueAt: number) => void,
  ) {
    if (!(options.periodMs > 0)) throw new RangeError('FrameClock: period must be positive');
    this.#clock = clock;
    this.periodMs = options.periodMs;
    this.#maxLagMs = options.maxLagMs ?? DEFAULT_MAX_LAG_MS;
    this.#onTick = onTick;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Starts at tick 0, due now. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#anchor = this.#clock.now();
    this.#anchorIndex = 0;
    this.#index = 0;
    this.#run();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #dueAt(index: number): number {
    return this.#anchor + (index - this.#anchorIndex) * this.periodMs;
  }

  #run(): void {
    this.#timer = null;
    const now = this.#clock.now();
    if (now - this.#dueAt(this.#index) > this.#maxLagMs) {
      this.#anchor = now;
      this.#anchorIndex = this.#index;
    }
    while (this.#running && this.#dueAt(this.#index) <= now) {
      const index = this.#index++;
      this.#onTick(index, this.#dueAt(index));
    }
    if (this.#running) {
      this.#timer = this.#clock.setTimeout(() => this.#run(), this.#dueAt(this.#index) - now);
    }
  }
}
