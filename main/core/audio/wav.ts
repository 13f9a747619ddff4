/**
 * WAV (RIFF/WAVE) reading and writing. Reads integer PCM of 8/16/24/32 bits and 32-bit float at
 * any rate and channel count, including WAVE_FORMAT_EXTENSIBLE; anything else is a `WavError`
 * with a code and a message a user can act on. Writes mono s16, the format Lumi saves replies in.
 */
import { readFileBytes, statFile } from '../util/fs-async.ts';

export type WavErrorCode =
  | 'unreadable'
  | 'too_large'
  | 'not_riff'
  | 'not_wave'
  | 'missing_fmt'
  | 'missing_data'
  | 'bad_fmt'
  | 'unsupported_encoding';

/** Why a WAV file could not be read. Every failure of `decodeWav`/`readWavFile` is one of these. */
export class WavError extends Error {
  override readonly name = 'WavError';
  readonly code: WavErrorCode;

  constructor(code: WavErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export interface DecodedWav {
  readonly sampleRate: number;
  readonly channels: number;
  /** Interleaved samples in [-1, 1). */
  readonly samples: Float32Array;
}

/** Large enough for ~20 minutes of 48 kHz stereo float; `--say` files are utterances. */
export const MAX_WAV_BYTES = 512 * 1024 * 1024;
/** Rates outside this range are corrupt headers, not audio. */
const MIN_SAMPLE_RATE = 1_000;
const MAX_SAMPLE_RATE = 768_000;
/** WAVE_FORMAT_EXTENSIBLE allows up to 18 named speaker positions; more is a corrupt header. */
const MAX_CHANNELS = 32;

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const FMT_MIN_BYTES = 16;
const FMT_EXTENSIBLE_BYTES = 40;
/** Streaming writers put this in the size fields while the length is still unknown. */
export const UNKNOWN_SIZE = 0xffffffff;
export const WAV_HEADER_BYTES = 44;

interface WavFormat {
  readonly encoding: 'pcm' | 'float';
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
}

/** Read and decode a WAV file. Throws only `WavError`. */
export async function readWavFile(path: string): Promise<DecodedWav> {
  let bytes: Uint8Array;
  try {
    const info = await statFile(path);
    if (info.size > MAX_WAV_BYTES) {
      throw new WavError(
        'too_large',
        `${path} is ${info.size} bytes; Lumi reads WAV files up to ${MAX_WAV_BYTES} bytes`,
      );
    }
    bytes = await readFileBytes(path);
  } catch (error) {
    if (error instanceof WavError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new WavError('unreadable', `cannot read ${path}: ${reason}`);
  }
  return decodeWav(bytes);
}

/** Decode WAV bytes. Throws only `WavError`. */
export function decodeWav(bytes: Uint8Array): DecodedWav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < RIFF_HEADER_BYTES || fourcc(view, 0) !== 'RIFF') {
    throw new WavError('not_riff', 'not a WAV file (no RIFF header)');
  }
  if (fourcc(view, 8) !== 'WAVE') {
    throw new WavError('not_wave', 'a RIFF file, but not WAVE audio');
  }

  let format: WavFormat | null = null;
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= bytes.byteLength) {
    const id = fourcc(view, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + CHUNK_HEADER_BYTES;
    if (id === 'fmt ') {
      format = parseFormat(view, body, Math.min(size, bytes.byteLength - body));
    } else if (id === 'data') {
      if (!format) throw new WavError('missing_fmt', 'the data chunk comes before any fmt chunk');
      const available = bytes.byteLength - body;
      const declared = size === UNKNOWN_SIZE || size > available ? available : size;
      return { ...pick(format), samples: decodeSamples(view, body, declared, format) };
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
    offset = body + size + (size % 2);
  }
  throw new WavError(format ? 'missing_data' : 'missing_fmt', 'no audio data in this WAV file');
}

/** Average the channels of interleaved samples into one. */
export function downmixToMono(audio: DecodedWav): Float32Array {
  const { channels, samples } = audio;
  if (channels === 1) return samples;
  const frames = Math.floor(samples.length / channels);
  const mono = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) {
      sum += samples[frame * channels + channel] ?? 0;
    }
    mono[frame] = sum / channels;
  }
  return mono;
}

/** The 44-byte header of a mono s16 WAV holding `dataBytes` bytes of samples. */
export function monoWavHeader(sampleRate: number, dataBytes: number): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const bytesPerSample = 2;
  writeFourcc(view, 0, 'RIFF');
  view.setUint32(4, Math.min(UNKNOWN_SIZE, WAV_HEADER_BYTES - 8 + dataBytes), true);
  writeFourcc(view, 8, 'WAVE');
  writeFourcc(view, 12, 'fmt ');
  view.setUint32(16, FMT_MIN_BYTES, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPerSample, true);
  view.setUint16(32, bytesPerSample, true);
  view.setUint16(34, 16, true);
  writeFourcc(view, 36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** Byte offsets of the two size fields a streaming writer patches when it finishes. */
export const WAV_RIFF_SIZE_OFFSET = 4;
export const WAV_DATA_SIZE_OFFSET = 40;

/** A complete mono s16 WAV file. */
export function encodeMonoWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const file = new Uint8Array(WAV_HEADER_BYTES + samples.length * 2);
  file.set(monoWavHeader(sampleRate, samples.length * 2));
  const view = new DataView(file.buffer);
  for (let i = 0; i < samples.length; i++) {
    view.setInt16(WAV_HEADER_BYTES + i * 2, samples[i] ?? 0, true);
  }
  return file;
}

function parseFormat(view: DataView, offset: number, size: number): WavFormat {
  if (size < FMT_MIN_BYTES) {
    throw new WavError('bad_fmt', `the fmt chunk is ${size} bytes; at least 16 are needed`);
  }
  let tag = view.getUint16(offset, true);
  const channels = view.getUint16(offset + 2, true);
  const sampleRate = view.getUint32(offset + 4, true);
  const bitsPerSample = view.getUint16(offset + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < FMT_EXTENSIBLE_BYTES) {
      throw new WavError('bad_fmt', 'WAVE_FORMAT_EXTENSIBLE without its sub-format');
    }
    // The sub-format GUID begins with the plain format tag (PCM = 1, float = 3).
    tag = view.getUint16(offset + 24, true);
  }
  if (channels < 1 || channels > MAX_CHANNELS) {
    throw new WavError('bad_fmt', `${channels} channels is not a valid channel count`);
  }
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new WavError('bad_fmt', `${sampleRate} Hz is not a valid sample rate`);
  }
  if (tag === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) {
    return { encoding: 'pcm', channels, sampleRate, bitsPerSample };
  }
  if (tag === FORMAT_FLOAT && bitsPerSample === 32) {
    return { encoding: 'float', channels, sampleRate, bitsPerSample };
  }
  const what =
    tag === FORMAT_PCM || tag === FORMAT_FLOAT
      ? `${bitsPerSample}-bit ${tag === FORMAT_PCM ? 'integer' : 'float'} samples`
      : `encoding 0x${tag.toString(16).padStart(4, '0')}`;
  throw new WavError(
    'unsupported_encoding',
    `${what} are not supported; use 8/16/24/32-bit integer PCM or 32-bit float`,
  );
}

function decodeSamples(
  view: DataView,
  offset: number,
  byteLength: number,
  format: WavFormat,
): Float32Array {
  const bytesPerSample = format.bitsPerSample / 8;
  const frameBytes = bytesPerSample * format.channels;
  // A truncated file keeps its whole frames; a partial last frame is dropped.
  const count = Math.floor(byteLength / frameBytes) * format.channels;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const at = offset + i * bytesPerSample;
    out[i] = readSample(view, at, format);
  }
  return out;
}

function readSample(view: DataView, at: number, format: WavFormat): number {
  if (format.encoding === 'float') {
    const value = view.getFloat32(at, true);
    return Number.isFinite(value) ? value : 0;
  }
  switch (format.bitsPerSample) {
    case 8:
      // 8-bit WAV is unsigned with its midpoint at 128.
      return (view.getUint8(at) - 128) / 128;
    case 16:
      return view.getInt16(at, true) / 32768;
    case 24: {
      const low = view.getUint16(at, true);
      const high = view.getInt8(at + 2);
      return (high * 65536 + low) / 8388608;
    }
    default:
      return view.getInt32(at, true) / 2147483648;
  }
}

function pick(format: WavFormat): Omit<DecodedWav, 'samples'> {
  return { sampleRate: format.sampleRate, channels: format.channels };
}

function fourcc(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

function writeFourcc(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < 4; i++) view.setUint8(offset + i, text.charCodeAt(i));
}
