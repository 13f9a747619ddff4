import { describeProblem } from './problem-english.ts';
import type { Problem } from './problems.ts';

/**
 * What crosses a process boundary instead of a thrown error (thrown errors lose all but `message`).
 * A failure carries its problem as data, for the window to word in the user's language; `message`
 * is the problem in English, for logs and the CLI.
 */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly code: string;
      readonly problem: Problem;
      readonly message: string;
    };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: string, problem: Problem): Result<never> => ({
  ok: false,
  code,
  problem,
  message: describeProblem(problem),
});
