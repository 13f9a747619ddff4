/**
 * Screen capture for the front ends under plain Node (the CLI and the browser preview host) on
 * X11: `xwd -root` (x11-apps) dumps the screen's pixels, read by ../vision/xwd.ts. Raw pixels
 * rather than ImageMagick's `import`, which would encode a picture only for Lumi to decode it
 * again (and takes ~250 ms for 1920×1080 where xwd takes ~90 ms). The dump is read as it
 * streams out of xwd and scaled down row by row meanwhile, so the 8 MB of a 1920×1080 screen
 * are never gathered into one buffer and the scaling overlaps the transfer. Elsewhere (Wayland
 * alone, macOS, Windows) there is no capture here: the tool says so.
 */
import { spawn } from 'node:child_process';
import { CapabilityUnavailableError, type ScreenFrame } from './capabilities.ts';
import { Downscaler } from '../vision/picture.ts';
import { readXwdHeader, type XwdHeader } from '../vision/xwd.ts';

/** A 4K screen at 32 bits a pixel is 33 MB; room for two of them side by side. */
const MAX_DUMP_BYTES = 80 * 1024 * 1024;
/** A dump of the local X server takes well under a second, even on a busy machine. */
const CAPTURE_TIMEOUT_MS = 10_000;
/** xwd's complaint (no display, a bad window) is one line; the rest is not kept. */
const STDERR_LIMIT = 2_048;

/** A running dump: its output as it comes, and how it ended. */
export interface Dump {
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly exited: Promise<void>;
  stop(): void;
}

/** Start `xwd` (or a stand-in in tests). */
export type RunDump = (env: NodeJS.ProcessEnv) => Dump;

const runXwd: RunDump = (env) => {
  const child = spawn('xwd', ['-root', '-silent'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: CAPTURE_TIMEOUT_MS,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `xwd ended with ${code ?? signal ?? 'nothing'}`));
    });
  });
  return { chunks: child.stdout, exited, stop: () => child.kill() };
};

/** Whether this machine has an X display to capture. */
export function hasX11Display(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  return platform !== 'win32' && platform !== 'darwin' && (env['DISPLAY'] ?? '') !== '';
}

/** Gathers a dump's header, then its pixels into one buffer, scaling rows as they complete. */
class DumpReader {
  readonly #maxSide: number;
  #head = new Uint8Array(0);
  #header: XwdHeader | null = null;
  #pixels: Uint8Array | null = null;
  #scaler: Downscaler | null = null;
  /** Bytes of the dump read so far. */
  #read = 0;

  constructor(maxSide: number) {
    this.#maxSide = maxSide;
  }

  feed(chunk: Uint8Array): void {
    if (this.#header === null) {
      this.#head = Buffer.concat([this.#head, chunk]);
      this.#read = this.#head.byteLength;
      this.#header = readXwdHeader(this.#head);
      if (this.#header === null) return;
      if (this.#header.length > MAX_DUMP_BYTES) throw new Error('The screen is too large');
      this.#pixels = new Uint8Array(this.#header.length - this.#header.start);
      this.#scaler = new Downscaler(this.#header.layout, this.#maxSide);
      this.#copy(this.#head, 0);
      return;
    }
    this.#copy(chunk, this.#read);
    this.#read += chunk.byteLength;
  }

  /** Copy the pixel bytes of `bytes` (which start at dump offset `at`) and scale what is new. */
  #copy(bytes: Uint8Array, at: number): void {
    const header = this.#header;
    const pixels = this.#pixels;
    if (header === null || pixels === null) return;
    const from = Math.max(0, header.start - at);
    const to = Math.min(bytes.byteLength, header.length - at);
    if (to > from) pixels.set(bytes.subarray(from, to), at + from - header.start);
    const rows = Math.floor(Math.max(0, at + to - header.start) / header.layout.stride);
    this.#scaler?.advance(pixels, rows);
  }

  /** The scaled picture as a frame, once the whole dump has been read. */
  frame(): ScreenFrame {
    const scaler = this.#scaler;
    if (scaler === null || !scaler.done) throw new Error('The X window dump is truncated');
    const { width, height, data } = scaler.image;
    return {
      width,
      height,
      data,
      stride: width * 4,
      bytesPerPixel: 4,
      offsets: { red: 0, green: 1, blue: 2 },
    };
  }
}

/** The whole X screen, scaled to fit `maxSide` (the CLI has no window of its own to hide). */
export async function captureX11(
  env: NodeJS.ProcessEnv,
  maxSide: number,
  run: RunDump = runXwd,
): Promise<ScreenFrame> {
  const dump = run(env);
  // Read even when the loop below fails first: the exit's own error is the better report.
  dump.exited.catch(() => undefined);
  const reader = new DumpReader(maxSide);
  try {
    for await (const chunk of dump.chunks) reader.feed(chunk);
    await dump.exited;
  } catch (error) {
    dump.stop();
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CapabilityUnavailableError(
      missing
        ? 'Screen capture is not available: xwd (x11-apps) is not installed'
        : `Screen capture failed: ${(error as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return reader.frame();
}
