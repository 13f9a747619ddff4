/**
 * A stored problem (shared/problems.ts): a known code with plain string and number parameters.
 * The stores that keep one (the outbox's refusals, the history's system lines) read it back
 * through this schema, so a file from a newer Lumi with a code this one does not know fails
 * validation instead of reaching a table that has no words for it.
 */
import { PROBLEM_CODES, type Problem, type ProblemCode } from '../../../shared/problems.ts';
import * as z from '../util/zod.ts';

const ProblemShape = z.catchall(
  z.object({ code: z.enum(PROBLEM_CODES as [ProblemCode, ...ProblemCode[]]) }),
  z.union([z.string(), z.number()]),
);

/**
 * The schema checks the code and that every parameter is a string or number; which parameters
 * each code has is the type's promise, kept by whoever wrote the problem.
 */
export const ProblemSchema = z.pipe(
  ProblemShape,
  z.transform((value) => value as Problem),
);
