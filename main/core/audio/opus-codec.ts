/**
 * Opus for both directions, over Lumi's own binding of libopus 1.3.1 (opus-binding.ts).
 *
 * Upstream, `SpeechEncoder` makes what every xiaozhi server decodes: 16 kHz mono packets of at
 * most 60 ms (docs/protocol.md §5.1). Downstream, `ReplyDecoder` decodes at the output rate
 * whatever rate the server encoded at: Opus decodes any stream at any of its rates, and servers
 * announce a rate that is not always the one they use (docs/protocol.md §2.2, §5.6).
 */
import type { Settings } from '../../../shared/settings.ts';
import { opusBinding } from './opus-binding.ts';
import type { NativeOpusDecoder, NativeOpusEncoder } from './opus-binding.ts';

export type FrameDurationMs = Settings['frameDurationMs'];

/** The rate servers decode upstream audio at (XS opens a 16 kHz mono decoder). */
export const SPEECH_SAMPLE_RATE = 16_000;
export const FRAME_DURATIONS: readonly FrameDurationMs[] = [20, 40, 60];

// libopus request numbers (opus_defines.h), the settings the binding accepts.
const CTL_SET_BITRATE = 4002;
const CTL_SET_VBR = 4006;
const CTL_SET_COMPLEXITY = 4010;
const CTL_SET_INBAND_FEC = 4012;
const CTL_SET_PACKET_LOSS_PERC = 4014;
const CTL_SET_DTX = 4016;
const CTL_SET_SIGNAL = 4024;
const APPLICATION_VOIP = 2048;
const SIGNAL_VOICE = 3001;

/**
 * 24 kbit/s: wideband speech is near-transparent for ASR from ~20 kbit/s, and the margin pays
 * for the in-band FEC copy. 3 kB/s upstream is nothing on any link Lumi runs over.
 */
export const DEFAULT_SPEECH_BITRATE = 24_000;
/**
 * Complexity 10 (libopus's default and best): measured at ~0.9 ms per 60 ms frame on this
 * class of machine (docs/toolchain.md §3), 1.5 % of one core. The firmware uses 0 only because an
 * ESP32 cannot afford more.
 */
export const DEFAULT_SPEECH_COMPLEXITY = 10;
/**
 * The WebSocket transport is TCP and never loses a packet, so FEC is insurance for lossy paths
 * (MQTT+UDP, docs/protocol.md §1.4). A low expected loss keeps its bit cost small; libopus
 * only adds redundancy when this is above zero.
 */
export const DEFAULT_EXPECTED_LOSS_PERCENT = 5;

export const OPUS_RATES = [8_000, 12_000, 16_000, 24_000, 48_000] as const;
export type OpusRate = (typeof OPUS_RATES)[number];
/** The output rate the session decodes replies at; 48 kHz is every desktop device's rate. */
export const DEFAULT_REPLY_RATE: OpusRate = 48_000;
/** An Opus packet carries at most 120 ms (RFC 6716 §3.2.5). */
const MAX_PACKET_MS = 120;
/** libopus conceals in whole 2.5 ms steps: Fs / 400 samples. */
const CONCEAL_STEPS_PER_SECOND = 400;

export interface SpeechEncoderOptions {
  readonly frameDurationMs?: FrameDurationMs;
  readonly bitrate?: number;
  readonly complexity?: number;
  /** Expected packet loss (0–100) that sizes the in-band FEC. */
  readonly expectedLossPercent?: number;
  /** Discontinuous transmission: ~1-byte packets during silence (the firmware turns it on). */
  readonly dtx?: boolean;
}

/** Encodes 16 kHz mono s16 frames of 20, 40 or 60 ms into Opus packets tuned for speech. */
export class SpeechEncoder {
  readonly frameDurationMs: FrameDurationMs;
  /** Samples per frame at 16 kHz (320, 640 or 960). */
  readonly frameSamples: number;
  readonly #encoder: NativeOpusEncoder;

  constructor(options: SpeechEncoderOptions = {}) {
    this.frameDurationMs = options.frameDurationMs ?? 60;
    if (!FRAME_DURATIONS.includes(this.frameDurationMs)) {
      throw new RangeError(`SpeechEncoder: frames must be 20, 40 or 60 ms`);
    }
    this.frameSamples = (SPEECH_SAMPLE_RATE * this.frameDurationMs) / 1000;
    // libopus documents VOIP as the mode for speech where intelligibility matters most; it also
    // high-passes away rumble below the voice.
    const { OpusEncoder } = opusBinding();
    this.#encoder = new OpusEncoder(SPEECH_SAMPLE_RATE, 1, APPLICATION_VOIP);
    this.#encoder.set(CTL_SET_SIGNAL, SIGNAL_VOICE);
    this.#encoder.set(CTL_SET_VBR, 1);
    this.#encoder.set(CTL_SET_BITRATE, options.bitrate ?? DEFAULT_SPEECH_BITRATE);
    this.#encoder.set(CTL_SET_COMPLEXITY, options.complexity ?? DEFAULT_SPEECH_COMPLEXITY);
    this.#encoder.set(CTL_SET_INBAND_FEC, 1);
    this.#encoder.set(
      CTL_SET_PACKET_LOSS_PERC,
      options.expectedLossPercent ?? DEFAULT_EXPECTED_LOSS_PERCENT,
    );
    this.#encoder.set(CTL_SET_DTX, options.dtx ? 1 : 0);
  }

  /** Encodes exactly one frame (`frameSamples` samples); other lengths are a RangeError. */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length !== this.frameSamples) {
      // The binding would encode any valid Opus duration; the session sends one size.
      throw new RangeError(
        `SpeechEncoder: expected ${this.frameSamples} samples, got ${frame.length}`,
      );
    }
    return this.#encoder.encode(frame);
  }
}

export type DecodeFailureReason = 'empty' | 'invalid';

export type DecodeResult =
  | { readonly ok: true; readonly pcm: Int16Array }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly error: string };

/**
 * Decodes one reply's packets to mono s16 at `sampleRate`, and fills what was lost: from the
 * next packet's in-band FEC, or by concealment of an exact length. Both run on the decoder that
 * decoded the stream, which is what libopus's FEC and PLC extrapolate from. Never throws on
 * packet content: a bad packet is a `{ ok: false }` the caller skips and counts.
 */
export class ReplyDecoder {
  readonly sampleRate: OpusRate;
  readonly #decoder: NativeOpusDecoder;
  readonly #maxSamples: number;

  constructor(sampleRate: number = DEFAULT_REPLY_RATE) {
    if (!isOpusRate(sampleRate)) {
      throw new RangeError(
        `ReplyDecoder: Opus decodes at 8, 12, 16, 24 or 48 kHz, not ${sampleRate}`,
      );
    }
    this.sampleRate = sampleRate;
    this.#maxSamples = (sampleRate * MAX_PACKET_MS) / 1000;
    const { OpusDecoder } = opusBinding();
    this.#decoder = new OpusDecoder(sampleRate, 1);
  }

  /** A fresh decoder state for a new reply (the firmware resets at `tts start`). */
  reset(): void {
    this.#decoder.reset();
  }

  decode(packet: Uint8Array): DecodeResult {
    if (packet.length === 0) {
      return { ok: false, reason: 'empty', error: 'empty Opus packet' };
    }
    return this.#attempt(() => this.#decoder.decode(packet, this.#maxSamples));
  }

  /**
   * The audio of the packet lost just before `next`, `samples` long: recovered from `next`'s
   * in-band FEC when it carries some, else concealed. Call it before decoding `next`.
   */
  recover(next: Uint8Array, samples: number): DecodeResult {
    if (next.length === 0) return { ok: true, pcm: this.conceal(samples) };
    return this.#attempt(() => this.#decoder.decodeFec(next, samples));
  }

  /** Exactly `samples` of concealment (whole 2.5 ms steps; the rest is silence). */
  conceal(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const step = this.sampleRate / CONCEAL_STEPS_PER_SECOND;
    const concealable = samples - (samples % step);
    for (let at = 0; at < concealable; at += this.#maxSamples) {
      out.set(this.#decoder.conceal(Math.min(this.#maxSamples, concealable - at)), at);
    }
    return out;
  }

  /** How many samples `packet` decodes to, or null when it is not valid Opus. */
  packetSamples(packet: Uint8Array): number | null {
    if (packet.length === 0) return null;
    try {
      return this.#decoder.packetSamples(packet);
    } catch {
      return null;
    }
  }

  /** Whether `packet` carries in-band FEC for the packet before it. */
  hasFec(packet: Uint8Array): boolean {
    if (packet.length === 0) return false;
    try {
      return opusBinding().packetHasFec(packet);
    } catch {
      return false;
    }
  }

  #attempt(decode: () => Int16Array): DecodeResult {
    let pcm: Int16Array;
    try {
      pcm = decode();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: 'invalid', error: `invalid Opus packet: ${detail}` };
    }
    if (pcm.length === 0) {
      return { ok: false, reason: 'invalid', error: 'Opus packet decoded to 0 samples' };
    }
    return { ok: true, pcm };
  }
}

/** Whether Opus can decode at `rate`. */
export function isOpusRate(rate: number): rate is OpusRate {
  return (OPUS_RATES as readonly number[]).includes(rate);
}
