/** How far a figure's runs spread: the smallest and largest of `runs` measurements. */
export interface Spread {
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/**
 * One measured figure: `value` is the median of its runs, `spread` their range. `ratio` =
 * value / baseline where a result is compared with an alternative measured in the same run,
 * interleaved with it (each run's ratio is taken, and `ratio` is their median).
 */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly spread?: Spread;
  readonly baseline?: number;
  readonly ratio?: number;
  readonly ratioSpread?: Spread;
  /** The target, as text, e.g. "≤ 0.8". */
  readonly target?: string;
}

/** A figure that could not be measured (no audio device, a probe that failed): never a number. */
export interface BenchFailure {
  readonly name: string;
  readonly error: string;
}

export type BenchOutcome = BenchResult | BenchFailure;

export type BenchRun = () => Promise<BenchOutcome[]>;

export function isFailure(outcome: BenchOutcome): outcome is BenchFailure {
  return 'error' in outcome;
}
