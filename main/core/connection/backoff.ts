/**
 * Reconnect delays: exponential with "equal jitter" (half the step fixed, half random), so the
 * first retry lands within a second and a fleet of clients never retries in lock-step. The
 * attempt counter resets only once a connection has stayed up (see Connection).
 */
import type { RandomSource } from '../util/clock.ts';

export interface BackoffOptions {
  /** Upper bound of the first delay (ms). The first retry waits between half of it and all of it. */
  readonly firstDelayMs: number;
  /** No delay exceeds this (ms). */
  readonly maxDelayMs: number;
  /** Attempts before giving up (for the connection: on quick attempts, see ReconnectOptions). */
  readonly maxAttempts: number;
}

/** The connection's reconnects: the quick backoff, then a slow pace that never ends. */
export interface ReconnectOptions extends BackoffOptions {
  /**
   * After the quick attempts, one attempt this often (ms): giving up on quick retries is not
   * giving up on the messages waiting in the outbox.
   */
  readonly slowRetryMs: number;
}

export const DEFAULT_BACKOFF: ReconnectOptions = {
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxAttempts: 5,
  slowRetryMs: 60_000,
};

/** Delay before retry number `attempt` (1-based). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: RandomSource,
): number {
  const exponent = Math.max(0, attempt - 1);
  const step = Math.min(options.maxDelayMs, options.firstDelayMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}
