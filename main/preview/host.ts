#!/usr/bin/env node
/**
 * `npm run preview:browser -- --url <ws-url> [--port 5174] [--data-dir <dir>]`: Lumi's window
 * in a browser, backed by the real core (see start-preview.ts). Prints the URL to open (with the
 * bridge secret in its fragment) and runs until SIGINT or SIGTERM. Usage errors exit with 2,
 * start-up failures with 1.
 */
import { parsePreviewArgs, UsageError, USAGE, type PreviewArgs } from './args.ts';
import { startPreview, type Preview } from './start-preview.ts';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
/** A shutdown that hangs (a stuck audio device) must not keep the terminal. */
const SHUTDOWN_LIMIT_MS = 5_000;

async function main(argv: readonly string[]): Promise<number> {
  let args: PreviewArgs;
  try {
    args = parsePreviewArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`preview:browser: ${error.message}\n(see --help)\n`);
    return EXIT_USAGE;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  let preview: Preview;
  try {
    preview = await startPreview({ url: args.url, port: args.port, dataDir: args.dataDir });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`preview:browser: ${message}\n`);
    return EXIT_FAILED;
  }
  process.stdout.write(
    `Lumi preview: ${preview.url}  (server ${args.url}, data ${preview.dataDir})\n`,
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('Lumi preview: stopping\n');
  setTimeout(() => process.exit(EXIT_FAILED), SHUTDOWN_LIMIT_MS).unref();
  await preview.close();
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
// Native audio threads can keep the event loop alive after the core closed.
setTimeout(() => process.exit(), 200).unref();
