/**
 * JSON for people and logs from values a server sent: JSON.stringify recurses once per level and
 * copies every byte, so a deeply nested or huge payload overflows the stack or floods a line
 * (issue 11, finding 4). This writer stops descending at `maxDepth` and stops writing once
 * `maxChars` are out, so its work is bounded by its limits, not by the value.
 */
import { boundText, MAX_DISPLAY_TEXT } from '../../../shared/bounded-text.ts';
import { MAX_JSON_DEPTH } from '../protocol/parse.ts';

/** What stands for a value nested deeper than the limit. */
export const TOO_DEEP = '"[too deep]"';

interface Budget {
  readonly parts: string[];
  length: number;
  readonly maxChars: number;
  readonly maxDepth: number;
}

function write(budget: Budget, text: string): void {
  budget.parts.push(text);
  budget.length += text.length;
}

function full(budget: Budget): boolean {
  return budget.length > budget.maxChars;
}

function writeScalar(budget: Budget, value: unknown): void {
  if (typeof value === 'string') {
    // Cut before quoting so a megabyte string costs its first `maxChars` only.
    write(budget, JSON.stringify(value.slice(0, budget.maxChars + 1)));
  } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    write(budget, JSON.stringify(value));
  } else if (typeof value === 'bigint') {
    write(budget, value.toString());
  } else {
    write(budget, 'null');
  }
}

function writeValue(budget: Budget, value: unknown, depth: number): void {
  if (typeof value !== 'object' || value === null) {
    writeScalar(budget, value);
    return;
  }
  if (depth >= budget.maxDepth) {
    write(budget, TOO_DEEP);
    return;
  }
  const isArray = Array.isArray(value);
  write(budget, isArray ? '[' : '{');
  let first = true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (full(budget)) break;
    if (!first) write(budget, ',');
    first = false;
    if (!isArray) write(budget, `${JSON.stringify(key.slice(0, budget.maxChars + 1))}:`);
    writeValue(budget, (value as Record<string, unknown>)[key], depth + 1);
  }
  write(budget, isArray ? ']' : '}');
}

/**
 * `value` as JSON, at most `maxChars` characters (a longer text is cut and ends with `…`) and
 * at most `maxDepth` levels deep (deeper values read `"[too deep]"`). Never throws.
 */
export function boundedJson(
  value: unknown,
  maxChars: number = MAX_DISPLAY_TEXT,
  maxDepth: number = MAX_JSON_DEPTH,
): string {
  const budget: Budget = { parts: [], length: 0, maxChars, maxDepth };
  writeValue(budget, value, 0);
  return boundText(budget.parts.join(''), maxChars).text;
}
