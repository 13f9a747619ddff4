/**
 * Sinks for reply audio that do not play it: `WavFileSink` saves every frame to a mono s16 WAV
 * file (the CLI's `--audio-out reply.wav`) and `NullSink` discards it (`--audio-out none`).
 * Neither has a playout clock, so a reply is "played" the moment it is written.
 */
import { closeSync, openSync, write, writeSync } from 'node:fs';
import type { AudioSink } from './sink.ts';
import { int16ToBytes } from './pcm.ts';
import {
  monoWavHeader,
  UNKNOWN_SIZE,
  WAV_DATA_SIZE_OFFSET,
  WAV_HEADER_BYTES,
  WAV_RIFF_SIZE_OFFSET,
} from './wav.ts';

/** The session decodes at 48 kHz unless told otherwise; every server's Opus decodes there. */
export const DEFAULT_SINK_RATE = 48_000;
/** RIFF sizes are 32-bit: the data chunk may hold this many bytes at most (~12 h at 48 kHz). */
const MAX_DATA_BYTES = UNKNOWN_SIZE - 1 - (WAV_HEADER_BYTES - 8);

/**
 * Writes every frame to a WAV file at `sampleRate`. The file is created (truncated) by the
 * constructor, which throws Node's own error if it cannot be. Sizes in the header are patched at
 * each `endReply()` and on `close()`, so the file is valid between replies; until then they read
 * "unknown", which Lumi's own reader and most tools accept. A write error is reported by `close()`.
 */
export class WavFileSink implements AudioSink {
  readonly sampleRate: number;
  readonly path: string;
  readonly #fd: number;
  #dataBytes = 0;
  #pending: Promise<void> = Promise.resolve();
  #error: Error | null = null;
  #closed: Promise<void> | null = null;

  constructor(path: string, sampleRate = DEFAULT_SINK_RATE) {
    if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new RangeError(`WavFileSink: invalid sample rate ${sampleRate}`);
    }
    this.path = path;
    this.sampleRate = sampleRate;
    this.#fd = openSync(path, 'w');
    try {
      writeSync(this.#fd, monoWavHeader(sampleRate, UNKNOWN_SIZE));
    } catch (error) {
      closeSync(this.#fd);
      throw error;
    }
  }

  /** Samples written so far (all replies). */
  get samplesWritten(): number {
    return this.#dataBytes / 2;
  }

  beginReply(): void {}

  write(pcm: Int16Array, _arrivedAt: number): void {
    if (this.#closed || this.#error || pcm.length === 0) return;
    if (this.#dataBytes + pcm.length * 2 > MAX_DATA_BYTES) {
      this.#error = new Error(`${this.path} reached the 4 GiB size limit of a WAV file`);
      return;
    }
    const bytes = int16ToBytes(pcm);
    const position = WAV_HEADER_BYTES + this.#dataBytes;
    this.#dataBytes += bytes.length;
    this.#enqueue(() => writeAt(this.#fd, bytes, position));
  }

  /** Resolves at once: a file has no playout delay. The header is patched in the background. */
  endReply(): Promise<void> {
    if (!this.#closed) this.#enqueue(() => this.#patchSizes());
    return Promise.resolve();
  }

  flush(): void {}

  /** Patches the header and closes the file; rejects with the first write error, if any. */
  close(): Promise<void> {
    this.#closed ??= this.#finish();
    return this.#closed;
  }

  async #finish(): Promise<void> {
    this.#enqueue(() => this.#patchSizes());
    await this.#pending;
    closeSync(this.#fd);
    if (this.#error) throw this.#error;
  }

  #enqueue(operation: () => Promise<void>): void {
    this.#pending = this.#pending.then(async () => {
      if (this.#error) return;
      try {
        await operation();
      } catch (error) {
        this.#error = error instanceof Error ? error : new Error(String(error));
      }
    });
  }

  async #patchSizes(): Promise<void> {
    const header = monoWavHeader(this.sampleRate, this.#dataBytes);
    await writeAt(this.#fd, header.subarray(WAV_RIFF_SIZE_OFFSET, WAV_RIFF_SIZE_OFFSET + 4), 4);
    await writeAt(
      this.#fd,
      header.subarray(WAV_DATA_SIZE_OFFSET, WAV_DATA_SIZE_OFFSET + 4),
      WAV_DATA_SIZE_OFFSET,
    );
  }
}

/** Discards reply audio; `endReply()` resolves at once. */
export class NullSink implements AudioSink {
  readonly sampleRate: number;
  #samples = 0;

  constructor(sampleRate = DEFAULT_SINK_RATE) {
    this.sampleRate = sampleRate;
  }

  /** Samples written so far (all replies). */
  get samplesWritten(): number {
    return this.#samples;
  }

  beginReply(): void {}

  write(pcm: Int16Array, _arrivedAt: number): void {
    this.#samples += pcm.length;
  }

  endReply(): Promise<void> {
    return Promise.resolve();
  }

  flush(): void {}

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Writes all of `bytes` at `position` (fs.write may write less than asked). */
function writeAt(fd: number, bytes: Uint8Array, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number): void => {
      if (done === bytes.length) {
        resolve();
        return;
      }
      write(fd, bytes, done, bytes.length - done, position + done, (error, written) => {
        if (error) reject(error);
        else step(done + written);
      });
    };
    step(0);
  });
}
