/**
 * `npm run preview:browser` arguments. Bad input becomes a UsageError whose message is the
 * one line the host prints before exiting with code 2.
 */
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** The port a developer opens by default (vite's dev port is 5173). */
export const DEFAULT_PORT = 5174;
const MAX_PORT = 65_535;

export interface PreviewArgs {
  readonly help: boolean;
  readonly url: string;
  readonly port: number;
  readonly dataDir: string | undefined;
}

export const USAGE = `Usage: npm run preview:browser -- --url <ws-url> [--port ${DEFAULT_PORT}] [--data-dir <dir>]

Runs Lumi's core in Node and serves its window on http://127.0.0.1:<port> for a browser.
  --url <ws-url>     the xiaozhi WebSocket server (ws:// or wss://)
  --port <n>         where to serve the window (0 picks a free port; default ${DEFAULT_PORT})
  --data-dir <dir>   keep settings and history there (default: a fresh temporary folder)
  --help             show this text`;

/** Parses the arguments after the script name. */
export function parsePreviewArgs(argv: readonly string[]): PreviewArgs {
  let values: { url?: string; port?: string; 'data-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return { help: true, url: '', port: DEFAULT_PORT, dataDir: undefined };
  if (values.url === undefined) throw new UsageError('--url <ws-url> is required');
  return {
    help: false,
    url: checkUrl(values.url),
    port: values.port === undefined ? DEFAULT_PORT : checkPort(values.port),
    dataDir: values['data-dir'] === '' ? undefined : values['data-dir'],
  };
}

function checkUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url: not a URL: ${text}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new UsageError(`--url must be a ws:// or wss:// URL, not ${url.protocol}//`);
  }
  return text;
}

function checkPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(port) || port > MAX_PORT) {
    throw new UsageError(`--port must be a whole number from 0 to ${MAX_PORT}, not ${text}`);
  }
  return port;
}
