/**
 * What the session needs from the audio side, as small structural interfaces so the real
 * modules (main/core/audio) and a WAV-file source plug in alike.
 */
import type { Problem } from '../../../shared/problems.ts';

/** Decodes one reply's Opus packets at the sink's rate; a fresh state per reply. */
export interface ReplyDecoder {
  /** Decoded mono s16 PCM, or an error description for a packet that is not valid Opus. */
  decode(packet: Uint8Array): { ok: true; pcm: Int16Array } | { ok: false; error: string };
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
