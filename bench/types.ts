/** One measured figure. `ratio` = value / baseline where a result is compared with an alternative. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: number;
  readonly ratio?: number;
  /** The target, as text, e.g. "≤ 0.8". */
  readonly target?: string;
}

export type BenchRun = () => Promise<BenchResult[]>;
