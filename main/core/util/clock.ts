/** Time and randomness, injected so tests can drive them (backoff, jitter buffer, timeouts). */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;

/** The real clock. Timers are unref'd so a pending retry never keeps a CLI process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const id = setTimeout(callback, ms);
    id.unref?.();
    return { id };
  },
  clearTimeout(handle) {
    clearTimeout(handle.id as ReturnType<typeof setTimeout>);
  },
};

export type RandomSource = () => number;
