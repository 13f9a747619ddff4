/**
 * The real `lumi-cli` (main/cli.ts in a child process under this Node) for integration tests:
 * its exit code, its output, and the JSON events it printed one per line.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI's entry, for a test that drives an interactive session itself. */
export const CLI_ENTRY = fileURLToPath(new URL('../../main/cli.ts', import.meta.url));
const DEFAULT_TIMEOUT_MS = 30_000;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every stdout line that parsed as a JSON object (`--json` events). */
  readonly events: Record<string, unknown>[];
}

export interface CliOptions {
  /** Kill the CLI and fail after this long. */
  readonly timeoutMs?: number;
  /** Added to this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to the CLI's stdin (which is closed otherwise). */
  readonly input?: string;
  /** A command the CLI runs under (e.g. `setpriv … ` to drop privileges). */
  readonly prefix?: readonly string[];
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const node = [process.execPath, '--disable-warning=ExperimentalWarning', CLI_ENTRY, ...args];
  const [command = '', ...rest] = [...(options.prefix ?? []), ...node];
  return new Promise((resolve, reject) => {
    const child = spawn(command, rest, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lumi-cli did not exit within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, events: jsonLines(stdout) });
    });
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}
