/**
 * Opus for both directions, over the native @discordjs/opus (libopus 1.3.1).
 *
 * Upstream, `SpeechEncoder` makes what every xiaozhi server decodes: 16 kHz mono packets of at
 * most 60 ms (docs/protocol.md §5.1). Downstream, `ReplyDecoder` decodes at the output rate
 * whatever rate the server encoded at: Opus decodes any stream at any of its rates, and servers
 * announce a rate that is not always the one they use (docs/protocol.md §2.2, §5.6).
 */
import type { OpusEncoder } from '@discordjs/opus';
import type { Settings } from '../../../shared/settings.ts';
import { opusAddon } from './opus-native.ts';

export type FrameDurationMs = Settings['frameDurationMs'];

/** The rate servers decode upstream audio at (XS opens a 16 kHz mono decoder). */
export const SPEECH_SAMPLE_RATE = 16_000;
export const FRAME_DURATIONS: readonly FrameDurationMs[] = [20, 40, 60];

// libopus request numbers (opus_defines.h). @discordjs/opus passes them through, SET only.
const CTL_SET_APPLICATION = 4000;
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
  readonly #encoder: OpusEncoder;

  constructor(options: SpeechEncoderOptions = {}) {
    this.frameDurationMs = options.frameDurationMs ?? 60;
    if (!FRAME_DURATIONS.includes(this.frameDurationMs)) {
      throw new RangeError(`SpeechEncoder: frames must be 20, 40 or 60 ms`);
    }
    this.frameSamples = (SPEECH_SAMPLE_RATE * this.frameDurationMs) / 1000;
    this.#encoder = monoCodec(SPEECH_SAMPLE_RATE);
    // @discordjs/opus hard-wires OPUS_APPLICATION_AUDIO; VOIP must be set before the first
    // encode (docs/toolchain.md §3). libopus documents VOIP as the mode for speech where
    // intelligibility matters most; it also high-passes away rumble below the voice.
    this.#encoder.applyEncoderCTL(CTL_SET_APPLICATION, APPLICATION_VOIP);
    this.#encoder.applyEncoderCTL(CTL_SET_SIGNAL, SIGNAL_VOICE);
    this.#encoder.applyEncoderCTL(CTL_SET_VBR, 1);
    this.#encoder.setBitrate(options.bitrate ?? DEFAULT_SPEECH_BITRATE);
    this.#encoder.applyEncoderCTL(
      CTL_SET_COMPLEXITY,
      options.complexity ?? DEFAULT_SPEECH_COMPLEXITY,
    );
    this.#encoder.applyEncoderCTL(CTL_SET_INBAND_FEC, 1);
    this.#encoder.applyEncoderCTL(
      CTL_SET_PACKET_LOSS_PERC,
      options.expectedLossPercent ?? DEFAULT_EXPECTED_LOSS_PERCENT,
    );
    this.#encoder.applyEncoderCTL(CTL_SET_DTX, options.dtx ? 1 : 0);
  }

  /** Encodes exactly one frame (`frameSamples` samples); other lengths are a RangeError. */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length !== this.frameSamples) {
      // libopus rejects other sizes, and the binding would turn its error code into a length.
      throw new RangeError(
        `SpeechEncoder: expected ${this.frameSamples} samples, got ${frame.length}`,
      );
    }
    const packet = this.#encoder.encode(
      Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength),
    );
    return new Uint8Array(packet.buffer, packet.byteOffset, packet.byteLength);
  }
}

export type DecodeFailureReason = 'empty' | 'invalid';

export type DecodeResult =
  | { readonly ok: true; readonly pcm: Int16Array }
  | { readonly ok: false; readonly reason: DecodeFailureReason; readonly error: string };

/**
 * Decodes one reply's packets to mono s16 at `sampleRate`. Never throws on packet content: a bad
 * packet is a `{ ok: false }` the caller skips and counts.
 */
export class ReplyDecoder {
  readonly sampleRate: OpusRate;
  #decoder: OpusEncoder;

  constructor(sampleRate: number = DEFAULT_REPLY_RATE) {
    if (!isOpusRate(sampleRate)) {
      throw new RangeError(
        `ReplyDecoder: Opus decodes at 8, 12, 16, 24 or 48 kHz, not ${sampleRate}`,
      );
    }
    this.sampleRate = sampleRate;
    this.#decoder = monoCodec(sampleRate);
  }

  /**
   * A fresh decoder state for a new reply (the firmware resets at `tts start`). @discordjs/opus
   * has no reset, so this builds a new native object.
   */
  reset(): void {
    this.#decoder = monoCodec(this.sampleRate);
  }

  decode(packet: Uint8Array): DecodeResult {
    if (packet.length === 0) {
      // The binding would run packet-loss concealment for 120 ms instead of failing.
      return { ok: false, reason: 'empty', error: 'empty Opus packet' };
    }
    let decoded: Buffer;
    try {
      decoded = this.#decoder.decode(
        Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength),
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { ok: false, reason: 'invalid', error: `invalid Opus packet: ${detail}` };
    }
    const samples = decoded.byteLength >> 1;
    if (samples === 0 || samples > (this.sampleRate * MAX_PACKET_MS) / 1000) {
      return { ok: false, reason: 'invalid', error: `Opus packet decoded to ${samples} samples` };
    }
    // Copy into an aligned array: the binding's buffer may start at an odd offset.
    const pcm = new Int16Array(samples);
    new Uint8Array(pcm.buffer).set(decoded.subarray(0, samples * 2));
    return { ok: true, pcm };
  }
}

/** Whether Opus can decode at `rate`. */
export function isOpusRate(rate: number): rate is OpusRate {
  return (OPUS_RATES as readonly number[]).includes(rate);
}

/** A libopus encoder/decoder pair for one channel (the addon's one class does both). */
function monoCodec(sampleRate: number): OpusEncoder {
  const { OpusEncoder: Codec } = opusAddon();
  return new Codec(sampleRate, 1);
}
