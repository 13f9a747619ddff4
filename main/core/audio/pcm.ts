/**
 * PCM sample conversions shared by the audio modules: float ↔ s16 and s16 ↔ little-endian bytes
 * (the layout of WAV files, Opus's PCM and naudiodon's buffers).
 */

const INT16_SCALE = 32768;
const INT16_MAX = 32767;
const INT16_MIN = -32768;

/** Whether this machine stores integers little-endian (every desktop Lumi runs on does). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float samples in [-1, 1) to s16, rounded and clipped. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const scaled = Math.round((samples[i] ?? 0) * INT16_SCALE);
    out[i] = scaled > INT16_MAX ? INT16_MAX : scaled < INT16_MIN ? INT16_MIN : scaled;
  }
  return out;
}

/** s16 samples to floats in [-1, 1). */
export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] ?? 0) / INT16_SCALE;
  return out;
}

/** s16 samples as little-endian bytes (a copy, so the caller may reuse its array). */
export function int16ToBytes(samples: Int16Array): Buffer {
  if (HOST_IS_LITTLE_ENDIAN) {
    return Buffer.from(
      samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.byteLength),
    );
  }
  const out = Buffer.allocUnsafe(samples.length * 2);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] ?? 0, i * 2);
  return out;
}

/** Little-endian s16 bytes to samples (a trailing odd byte is ignored). */
export function bytesToInt16(bytes: Uint8Array): Int16Array {
  const count = bytes.byteLength >> 1;
  if (HOST_IS_LITTLE_ENDIAN) {
    const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * 2);
    return new Int16Array(copy);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
  return out;
}

/** Milliseconds of audio in `samples` mono samples at `sampleRate`. */
export function samplesToMs(samples: number, sampleRate: number): number {
  return (samples * 1000) / sampleRate;
}

/** Mono samples in `ms` milliseconds at `sampleRate`, rounded to a whole sample. */
export function msToSamples(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000);
}
