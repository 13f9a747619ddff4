/**
 * Turns one block of 48 kHz mono playout into the bytes the output device takes: cues mixed
 * in, Lumi's volume applied (ramped across the block, so a volume change never clicks),
 * resampled to the device rate and copied to every device channel.
 *
 * The bytes go into one of two buffers used in turn rather than a new one per block (50 a
 * second). naudiodon copies a chunk the moment `write()` hands it over (its `Chunk` memcpy),
 * and the speaker writes a block only after the previous write completed, so a buffer is never
 * refilled while anything could still read it; the second one covers a chunk Node's Writable
 * holds back for the length of one write.
 */
import { HOST_IS_LITTLE_ENDIAN, int16ToBytes } from './pcm.ts';
import type { StreamingResampler } from './resampler.ts';

const INT16_MAX = 32767;
const INT16_MIN = -32768;

/**
 * Volume 0–100 to a linear gain along a square law: close to how loudness is heard (50 is
 * −12 dB), with 0 silent and 100 untouched.
 */
export function volumeToGain(volume: number): number {
  const clamped = Math.min(100, Math.max(0, Number.isFinite(volume) ? volume : 100));
  return (clamped / 100) ** 2;
}

interface Clip {
  readonly pcm: Int16Array;
  position: number;
}

/** One output buffer: its bytes, and the same memory as samples. */
interface OutputSlot {
  readonly bytes: Buffer;
  readonly samples: Int16Array;
}

const OUTPUT_SLOTS = 2;

export class BlockRenderer {
  readonly #channels: number;
  readonly #resampler: StreamingResampler | null;
  #gain: number;
  #targetGain: number;
  #clips: Clip[] = [];
  readonly #slots: (OutputSlot | null)[] = Array.from({ length: OUTPUT_SLOTS }, () => null);
  #turn = 0;

  /** `resampler` converts from the playout rate to the device's, when they differ. */
  constructor(options: {
    readonly channels: number;
    readonly volume: number;
    readonly resampler: StreamingResampler | null;
  }) {
    this.#channels = options.channels;
    this.#resampler = options.resampler;
    this.#gain = volumeToGain(options.volume);
    this.#targetGain = this.#gain;
  }

  /** Whether a cue is still sounding. */
  get playingClip(): boolean {
    return this.#clips.length > 0;
  }

  setVolume(volume: number): void {
    this.#targetGain = volumeToGain(volume);
  }

  /** Mixes `pcm` (at the playout rate) into the blocks that follow. */
  addClip(pcm: Int16Array): void {
    if (pcm.length > 0) this.#clips.push({ pcm, position: 0 });
  }

  /** Renders `block` (modified in place) into device bytes. */
  render(block: Int16Array): Buffer {
    this.#mixClips(block);
    this.#applyGain(block);
    const device = this.#resampler ? this.#resampler.processInt16(block) : block;
    if (!HOST_IS_LITTLE_ENDIAN) {
      return int16ToBytes(this.#channels === 1 ? device : spread(device, this.#channels));
    }
    const count = device.length * this.#channels;
    const slot = this.#nextSlot(count);
    if (this.#channels === 1) slot.samples.set(device);
    else spreadInto(slot.samples, device, this.#channels);
    return count === slot.samples.length ? slot.bytes : slot.bytes.subarray(0, count * 2);
  }

  /** The next output buffer in turn, grown when a block needs more (the resampler's vary). */
  #nextSlot(samples: number): OutputSlot {
    const index = this.#turn;
    this.#turn = (this.#turn + 1) % OUTPUT_SLOTS;
    const current = this.#slots[index];
    if (current && current.samples.length >= samples) return current;
    const bytes = Buffer.alloc(samples * 2);
    const slot = { bytes, samples: new Int16Array(bytes.buffer, bytes.byteOffset, samples) };
    this.#slots[index] = slot;
    return slot;
  }

  /** Releases the resampler. */
  close(): void {
    this.#resampler?.destroy();
  }

  #mixClips(block: Int16Array): void {
    if (this.#clips.length === 0) return;
    for (const clip of this.#clips) {
      const count = Math.min(block.length, clip.pcm.length - clip.position);
      for (let i = 0; i < count; i++) {
        block[i] = saturate((block[i] ?? 0) + (clip.pcm[clip.position + i] ?? 0));
      }
      clip.position += count;
    }
    this.#clips = this.#clips.filter((clip) => clip.position < clip.pcm.length);
  }

  #applyGain(block: Int16Array): void {
    const from = this.#gain;
    const to = this.#targetGain;
    if (from === 1 && to === 1) return;
    const step = (to - from) / block.length;
    for (let i = 0; i < block.length; i++) {
      block[i] = saturate(Math.round((block[i] ?? 0) * (from + step * (i + 1))));
    }
    this.#gain = to;
  }
}

function saturate(value: number): number {
  return value > INT16_MAX ? INT16_MAX : value < INT16_MIN ? INT16_MIN : value;
}

/** Interleaves a mono block onto `channels` channels. */
function spread(mono: Int16Array, channels: number): Int16Array {
  const out = new Int16Array(mono.length * channels);
  spreadInto(out, mono, channels);
  return out;
}

function spreadInto(out: Int16Array, mono: Int16Array, channels: number): void {
  for (let i = 0; i < mono.length; i++) {
    const sample = mono[i] ?? 0;
    for (let channel = 0; channel < channels; channel++) out[i * channels + channel] = sample;
  }
}
