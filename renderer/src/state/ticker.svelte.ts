import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time as a reactive value that only ticks while something on screen reads it
 * (a countdown), so an idle window runs no timers.
 */
export class Ticker {
  readonly #subscribe: () => void;

  /** @param intervalMs how often readers are told the time moved on */
  constructor(intervalMs: number) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs);
      return () => clearInterval(timer);
    });
  }

  /** Epoch milliseconds; reading it inside an effect or template keeps the ticker running. */
  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

/** Countdowns show whole seconds; a quarter-second tick keeps them from lagging visibly. */
const COUNTDOWN_TICK_MS = 250;

/** The clock every on-screen countdown reads. */
export const countdownClock = new Ticker(COUNTDOWN_TICK_MS);
