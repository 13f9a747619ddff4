/**
 * Retrying the OTA check. Only failures that may pass by themselves are retried (the server is
 * still starting, the network is not up yet, a 5xx); a wrong path, a refused device or a bad
 * certificate needs the user, so those fail at once. Delays follow the firmware: 10 s, doubling
 * (docs/protocol.md §6.4), with jitter from connection/backoff.ts.
 */
import { backoffDelay, type BackoffOptions } from '../connection/backoff.ts';
import { SECOND, systemClock, type Clock, type RandomSource } from '../util/clock.ts';
import { OtaError } from './ota-client.ts';

export const OTA_BACKOFF: BackoffOptions = {
  firstDelayMs: 10 * SECOND,
  maxDelayMs: 80 * SECOND,
  maxAttempts: 5,
};

/** Whether another try could succeed without the user changing anything. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof OtaError)) return false;
  switch (error.kind) {
    case 'refused':
    case 'dns':
    case 'network':
    case 'timeout':
      return true;
    case 'http':
      return error.status !== null && error.status >= 500;
    case 'tls':
    case 'aborted':
    case 'badJson':
    case 'rejected':
    case 'badResponse':
    case 'redirect':
    case 'tooManyRedirects':
      return false;
  }
}

export interface RetryOptions {
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly signal?: AbortSignal;
  readonly backoff?: BackoffOptions;
  /** Told before each wait, e.g. to show "retrying in 20 s". */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
}

/** Wait `ms` on `clock`, or reject with an `aborted` OtaError when `signal` fires. */
export function sleep(ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new OtaError('aborted', 'Cancelled.'));
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(new OtaError('aborted', 'Cancelled.'));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Run `attempt` (1-based) until it succeeds, fails for good, or the attempts run out. */
export async function withOtaRetries<T>(
  attempt: (number: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const backoff = options.backoff ?? OTA_BACKOFF;
  for (let number = 1; ; number += 1) {
    try {
      return await attempt(number);
    } catch (error) {
      if (number >= backoff.maxAttempts || !isRetryable(error)) throw error;
      const delayMs = backoffDelay(number, backoff, options.random ?? Math.random);
      options.onRetry?.({ attempt: number, delayMs, error });
      await sleep(delayMs, clock, options.signal);
    }
  }
}
