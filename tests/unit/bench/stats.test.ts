/** The bench's figures: medians with their range, ratios paired run by run, no silent NaN. */
import { describe, expect, it } from 'vitest';
import { againstBaseline, fromRuns, inRuns, median, percentile } from '../../../bench/stats.ts';

describe('bench statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('reports a figure as the median of its runs with their range', () => {
    expect(fromRuns('x', 'ms', [12, 10, 30], '≤ 20')).toEqual({
      name: 'x',
      value: 12,
      unit: 'ms',
      spread: { min: 10, max: 30, runs: 3 },
      target: '≤ 20',
    });
  });

  it('refuses a run without a number instead of reporting NaN', () => {
    expect(() => fromRuns('latency.first_audio', 'ms', [12, Number.NaN])).toThrow(/no number/);
    expect(() => fromRuns('x', 'ms', [])).toThrow(/no number/);
  });

  it('pairs each run with its baseline, so drift between runs divides out', () => {
    // The machine slows down 4x between the first run and the last; the ratio holds at 0.5.
    const result = againstBaseline('codec', 'µs', [50, 100, 200], [100, 200, 400]);
    expect(result.ratio).toBe(0.5);
    expect(result.ratioSpread).toEqual({ min: 0.5, max: 0.5, runs: 3 });
    expect(result.baseline).toBe(200);
    expect(() => againstBaseline('codec', 'µs', [1, 2], [1])).toThrow(/unpaired/);
  });

  it('splits one long series into runs and takes percentiles', () => {
    const series = Array.from({ length: 10 }, (_, i) => i);
    expect(inRuns(series, 3)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(percentile(series, 0.99)).toBe(9);
    expect(percentile(series, 0.5)).toBe(5);
  });
});
