/**
 * What the session needs from the audio side, as small structural interfaces so the real
 * modules (main/core/audio) and a WAV-file source plug in alike.
 */
import type { Problem } from '../../../shared/problems.ts';

/** Decoded mono s16 PCM, or an error description for a packet that is not valid Opus. */
export type DecodeOutcome = { ok: true; pcm: Int16Array } | { ok: false; error: string };

/**
 * Decodes one reply's Opus packets at the sink's rate; a fresh state per reply. Lost packets
 * are filled on the same state (libopus's FEC and concealment extrapolate from it).
 */
export interface ReplyDecoder {
  decode(packet: Uint8Array): DecodeOutcome;
  /** The packet lost just before `next`, `samples` long, from `next`'s in-band FEC. */
  recover(next: Uint8Array, samples: number): DecodeOutcome;
  /** Exactly `samples` of concealment. */
  conceal(samples: number): Int16Array;
  /** How many samples `packet` decodes to, or null when it is not valid Opus. */
  packetSamples(packet: Uint8Array): number | null;
  /** Whether `packet` carries in-band FEC for the one before it. */
  hasFec(packet: Uint8Array): boolean;
  reset(): void;
}

export type ReplyDecoderFactory = (sampleRate: number) => ReplyDecoder;

/** Upstream audio: the microphone or a WAV file, already encoded as 16 kHz mono Opus frames. */
export interface VoiceSourceEvents {
  frame: (opus: Uint8Array, capturedAt: number) => void;
  level: (dbfs: number, speaking: boolean) => void;
  tooQuiet: (dbfs: number) => void;
  error: (problem: Problem) => void;
  /** A finite source (a WAV file) has sent its last frame. */
  ended: () => void;
}

export interface VoiceSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Sends at once what was captured but does not fill a frame yet, padded with silence: the end
   * of a push-to-talk utterance must not wait for the rest of a frame that will never come.
   */
  flush?(): void;
  on<K extends keyof VoiceSourceEvents>(event: K, listener: VoiceSourceEvents[K]): () => void;
}

export type VoiceSourceFactory = () => VoiceSource;

/** Short sounds on listen start and stop. */
export interface CuePlayer {
  play(cue: 'listenStart' | 'listenStop'): void;
}
