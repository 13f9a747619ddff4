/** Medians and spreads for the benchmarks: every figure is the median of several runs. */
import type { BenchResult, Spread } from './types.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value at `fraction` (0–1) of the sorted samples, e.g. 0.99 for the p99. */
export function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

export function spreadOf(values: readonly number[]): Spread {
  return { min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

/** A figure from its runs: the median, with the runs' range. */
export function fromRuns(
  name: string,
  unit: string,
  runs: readonly number[],
  target?: string,
): BenchResult {
  if (runs.length === 0 || runs.some((run) => !Number.isFinite(run))) {
    throw new Error(`${name}: a run gave no number (${runs.join(', ')})`);
  }
  return {
    name,
    value: median(runs),
    unit,
    spread: spreadOf(runs),
    ...(target === undefined ? {} : { target }),
  };
}

/**
 * A figure compared with a baseline measured in the same runs, interleaved with it: subject[i]
 * and baseline[i] come from run i, so the machine's drift during the bench divides out of
 * each run's ratio.
 */
export function againstBaseline(
  name: string,
  unit: string,
  subject: readonly number[],
  baseline: readonly number[],
  target?: string,
): BenchResult {
  if (subject.length !== baseline.length) throw new Error(`${name}: unpaired runs`);
  const ratios = subject.map((value, i) => value / Math.max(Number.EPSILON, baseline[i]!));
  return {
    ...fromRuns(name, unit, subject, target),
    baseline: median(baseline),
    ratio: median(ratios),
    ratioSpread: spreadOf(ratios),
  };
}

/** Splits samples into `parts` consecutive runs (for figures taken from one long series). */
export function inRuns<T>(samples: readonly T[], parts: number): T[][] {
  const size = Math.ceil(samples.length / parts);
  return Array.from({ length: parts }, (_, i) => samples.slice(i * size, (i + 1) * size)).filter(
    (part) => part.length > 0,
  );
}
