/**
 * Screen capture for the front ends under plain Node (the CLI and the browser preview host) on
 * X11: `xwd -root` (x11-apps) dumps the screen's pixels, read by ../vision/xwd.ts. Raw pixels
 * rather than ImageMagick's `import`, which would encode a picture only for Lumi to decode it
 * again. Elsewhere (Wayland alone, macOS, Windows) there is no capture here: the tool says so.
 */
import { execFile } from 'node:child_process';
import { CapabilityUnavailableError, type ScreenFrame } from './capabilities.ts';
import { parseXwd } from '../vision/xwd.ts';

/** A 4K screen at 32 bits a pixel is 33 MB; room for two of them side by side. */
const MAX_DUMP_BYTES = 80 * 1024 * 1024;
/** A dump of the local X server takes well under a second, even on a busy machine. */
const CAPTURE_TIMEOUT_MS = 10_000;

/** Run `xwd` and hand back its output, or the reason it failed. */
export type RunDump = (env: NodeJS.ProcessEnv) => Promise<Uint8Array>;

const runXwd: RunDump = (env) =>
  new Promise((resolve, reject) => {
    execFile(
      'xwd',
      ['-root', '-silent'],
      { env, encoding: 'buffer', maxBuffer: MAX_DUMP_BYTES, timeout: CAPTURE_TIMEOUT_MS },
      (error, stdout) => (error ? reject(error) : resolve(new Uint8Array(stdout))),
    );
  });

/** Whether this machine has an X display to capture. */
export function hasX11Display(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  return platform !== 'win32' && platform !== 'darwin' && (env['DISPLAY'] ?? '') !== '';
}

/** The whole X screen (the CLI has no window of its own to hide). */
export async function captureX11(
  env: NodeJS.ProcessEnv,
  run: RunDump = runXwd,
): Promise<ScreenFrame> {
  let dump: Uint8Array;
  try {
    dump = await run(env);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CapabilityUnavailableError(
      missing
        ? 'Screen capture is not available: xwd (x11-apps) is not installed'
        : `Screen capture failed: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return parseXwd(dump);
}
