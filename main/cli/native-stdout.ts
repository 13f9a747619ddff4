/**
 * Keeps native output off the CLI's stdout. naudiodon printf()s a banner on fd 1 whenever a
 * stream opens, and more lines when one closes or underflows (PaContext.cc; no option turns
 * them off), which would break `--json`'s one-object-per-line stdout. So fd 1 is pointed at
 * /dev/null (stderr with --verbose) and `process.stdout` writes to another descriptor of the
 * original stdout.
 *
 * Node has no dup(2). A pipe, file or terminal can be opened again through /dev/fd/1; a socket
 * (what a Node parent's `spawn` hands over) cannot, so then a `--json` run that may open a device
 * re-executes itself through `sh`, which moves the descriptors (`exec 9>&1 1>/dev/null`) and
 * names fd 9 in the environment. That costs a second Node start, hence the narrower condition.
 * This module imports nothing heavy: the re-execution happens before the CLI loads.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { isatty, WriteStream } from 'node:tty';

/** Where the re-execution keeps the original stdout (named in LUMI_CLI_STDOUT_FD). */
const MOVED_STDOUT_FD = 9;

/**
 * Call first thing with the command line, before anything reads `process.stdout` or loads
 * naudiodon.
 */
export function keepNativeOutputOffStdout(argv: readonly string[]): void {
  if (process.platform === 'win32') return;
  const verbose = argv.includes('--verbose');
  const inherited = process.env.LUMI_CLI_STDOUT_FD;
  if (inherited !== undefined) {
    // Not for the processes this one starts.
    delete process.env.LUMI_CLI_STDOUT_FD;
    useAsStdout(Number(inherited));
    return;
  }
  let reopened: number;
  try {
    // A new open file description of the same file, appending so that nothing is truncated.
    reopened = openSync('/dev/fd/1', 'a');
  } catch {
    if (jsonWithDevices(argv)) reexecWithStdoutMoved(verbose);
    return;
  }
  closeSync(1);
  // open() takes the lowest free descriptor; fd 1 must not stay free, or the next file opened
  // (the history database, say) would receive the banners.
  let native = -1;
  while (native < 1) native = openSync(verbose ? '/dev/fd/2' : '/dev/null', 'a');
  useAsStdout(reopened);
}

/** `--json` output while a device may open: `--audio-out device`, or the interactive microphone. */
function jsonWithDevices(argv: readonly string[]): boolean {
  if (!argv.includes('--json')) return false;
  const audioOut = argv.indexOf('--audio-out');
  const toDevice =
    argv.includes('--audio-out=device') || (audioOut >= 0 && argv[audioOut + 1] === 'device');
  const scripted = argv.some((arg) => /^--(text|say)(=|$)/.test(arg));
  return toDevice || !scripted;
}

function useAsStdout(fd: number): void {
  const stream = isatty(fd) ? new WriteStream(fd) : syncWriter(fd);
  Object.defineProperty(process, 'stdout', { configurable: true, get: () => stream });
}

/** Replaces this process with itself, fd 1 moved to fd 9 by the shell; returns if it cannot. */
function reexecWithStdoutMoved(verbose: boolean): void {
  const [script, ...args] = process.argv.slice(1);
  if (!process.execve || script === undefined) return;
  const nativeTarget = verbose ? '&2' : '/dev/null';
  process.execve(
    '/bin/sh',
    [
      'sh',
      '-c',
      `exec ${MOVED_STDOUT_FD}>&1 1>${nativeTarget}; exec "$@"`,
      'sh',
      process.execPath,
      ...process.execArgv,
      script,
      ...args,
    ],
    { ...process.env, LUMI_CLI_STDOUT_FD: String(MOVED_STDOUT_FD) },
  );
}

/** Blocking writes, as Node's own stdout on a Linux pipe or file: nothing is lost at exit. */
function syncWriter(fd: number): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
