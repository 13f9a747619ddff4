/**
 * Streaming sample-rate conversion for mono audio over libsamplerate (its wasm port). The
 * converter keeps its filter state between chunks, so a stream cut into blocks of any size comes
 * out as if it had been converted in one piece. Band-limited sinc conversion is what keeps a
 * 44.1/48 kHz microphone's energy above 8 kHz from folding into 16 kHz speech; naive interpolation
 * would alias it.
 */
import type libsamplerateModule from '@alexanderolsen/libsamplerate-js';
import { floatToInt16, int16ToFloat, msToSamples } from './pcm.ts';

/**
 * SRC_SINC_MEDIUM_QUALITY: 97 dB SNR with a 90 % passband (libsamplerate docs), so 16 kHz output
 * keeps speech up to ~7.2 kHz. Measured at ~0.27 ms per 20 ms block 48→16 kHz here; BEST costs
 * 4× that for nothing audible in speech, FASTEST narrows the passband to 80 %.
 */
/** libsamplerate's SRC_SINC_MEDIUM_QUALITY (its enum lives in the lazily loaded module). */
const CONVERTER = 1;
/** Zeros pushed through by `flush()` to get the filter's tail out (its delay is ~3 ms). */
const FLUSH_MS = 10;
const MAX_RATE = 192_000;

type Converter = Awaited<ReturnType<typeof libsamplerateModule.create>>;

/**
 * The library carries its wasm as 2 MB of inline source; it is loaded on the first resampler a
 * device actually needs (a 48 kHz speaker needs none), which keeps it out of an idle app's memory.
 */
let library: Promise<typeof libsamplerateModule> | null = null;
function loadLibrary(): Promise<typeof libsamplerateModule> {
  library ??= import('@alexanderolsen/libsamplerate-js').then((m) => m.default);
  return library;
}

/** Converts a mono stream from `inputRate` to `outputRate`. Create with `StreamingResampler.create`. */
export class StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  readonly #converter: Converter | null;
  #destroyed = false;

  private constructor(inputRate: number, outputRate: number, converter: Converter | null) {
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.#converter = converter;
  }

  /** Loads the converter (the wasm module initialises asynchronously). */
  static async create(inputRate: number, outputRate: number): Promise<StreamingResampler> {
    for (const rate of [inputRate, outputRate]) {
      if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
        throw new RangeError(`StreamingResampler: unsupported sample rate ${rate}`);
      }
    }
    if (inputRate === outputRate) return new StreamingResampler(inputRate, outputRate, null);
    const libsamplerate = await loadLibrary();
    const converter = await libsamplerate.create(1, inputRate, outputRate, {
      converterType: CONVERTER,
    });
    return new StreamingResampler(inputRate, outputRate, converter);
  }

  /** Converts the next chunk of the stream. The output length varies slightly per chunk. */
  process(input: Float32Array): Float32Array {
    if (this.#destroyed) throw new Error('StreamingResampler: used after destroy()');
    if (!this.#converter) return input.slice();
    if (input.length === 0) return new Float32Array(0);
    return this.#converter.full(input);
  }

  /** `process` for s16 samples. */
  processInt16(input: Int16Array): Int16Array {
    if (!this.#converter) return input.slice();
    return floatToInt16(this.process(int16ToFloat(input)));
  }

  /** The samples still inside the filter at the end of a stream (pushes silence through). */
  flush(): Float32Array {
    if (!this.#converter) return new Float32Array(0);
    return this.process(new Float32Array(msToSamples(FLUSH_MS, this.inputRate)));
  }

  /** Frees the converter's wasm state. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#converter?.destroy();
  }
}

/** Converts a whole signal at once (a WAV file, a cue), tail included. */
export async function resampleAll(
  input: Float32Array,
  inputRate: number,
  outputRate: number,
): Promise<Float32Array> {
  const resampler = await StreamingResampler.create(inputRate, outputRate);
  try {
    const body = resampler.process(input);
    const tail = resampler.flush();
    const expected = Math.round((input.length * outputRate) / inputRate);
    const out = new Float32Array(expected);
    out.set(body.subarray(0, expected));
    if (body.length < expected) out.set(tail.subarray(0, expected - body.length), body.length);
    return out;
  } finally {
    resampler.destroy();
  }
}
