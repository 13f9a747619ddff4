import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../main/core/connection/backoff.ts';

describe('backoffDelay', () => {
  it('retries the first time within a second, never sooner than half of it', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0)).toBe(500);
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => 0.999_999)).toBeLessThanOrEqual(1_000);
  });

  it('doubles the step each attempt', () => {
    const lows = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_BACKOFF, () => 0));
    expect(lows).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
  });

  it('is capped at 60 s however many attempts', () => {
    for (const attempt of [7, 10, 50, 1_000]) {
      const high = backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999_999);
      expect(high).toBeLessThanOrEqual(60_000);
      expect(high).toBeGreaterThanOrEqual(59_000);
    }
  });

  it('spreads clients apart with jitter', () => {
    const values = new Set(
      [0, 0.25, 0.5, 0.75].map((r) => backoffDelay(3, DEFAULT_BACKOFF, () => r)),
    );
    expect(values.size).toBe(4);
  });
});
