/**
 * Where the CLI's `--url` token comes from. `--token <token>` is in every process list (`ps`,
 * /proc/<pid>/cmdline) for as long as the run lasts, so the token can also come from standard
 * input (`--token -`, the first line) or from the LUMI_TOKEN environment variable, which only
 * the same user (and root) can read.
 */
import { UsageError } from './args.ts';

export const TOKEN_ENVIRONMENT_VARIABLE = 'LUMI_TOKEN';
/** `--token -`: read the token from standard input. */
export const TOKEN_FROM_STDIN = '-';
/** A token is a line; more than this on standard input is not one. */
const MAX_TOKEN_BYTES = 64 * 1024;

/** The token to use, or null for "the stored one". Throws UsageError for an empty `--token -`. */
export async function cliToken(
  flag: string | null,
  environment: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
): Promise<string | null> {
  if (flag === TOKEN_FROM_STDIN) {
    const token = firstLine(await readLimited(stdin));
    if (token === '') throw new UsageError('--token -: standard input holds no token.');
    return token;
  }
  if (flag !== null) return flag;
  const fromEnvironment = environment[TOKEN_ENVIRONMENT_VARIABLE]?.trim();
  return fromEnvironment ? fromEnvironment : null;
}

async function readLimited(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.length > MAX_TOKEN_BYTES)
      throw new UsageError('--token -: standard input is too long to be a token.');
  }
  return text;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return (end < 0 ? text : text.slice(0, end)).trim();
}
