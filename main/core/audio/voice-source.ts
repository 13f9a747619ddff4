/**
 * Upstream audio as the session sees it: 16 kHz mono Opus frames with their capture time, plus
 * the input level for the meter. The microphone and a WAV file (`--say`) both implement it.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { FrameDurationMs } from './opus-codec.ts';

export type VoiceSourceEvents = {
  /** One encoded frame; `capturedAt` is when its first sample was captured (clock ms). */
  frame: (opus: Uint8Array, capturedAt: number) => void;
  /** About ten times a second: the input level and whether it is loud enough to be speech. */
  level: (dbfs: number, speaking: boolean) => void;
  /** The input stayed below speech level for seconds: servers would hear silence. */
  tooQuiet: (dbfs: number) => void;
  /** The source failed and has stopped; `start()` may be tried again. */
  error: (problem: Problem) => void;
  /** A finite source (a WAV file) sent its last frame and stopped. The microphone never ends. */
  ended: () => void;
};

export interface VoiceSource {
  readonly frameDurationMs: FrameDurationMs;
  /** Begins capturing; rejects when the source cannot start (no device, unreadable file). */
  start(): Promise<void>;
  /** Stops capturing; resolves once no more events will come. Safe to call at any time. */
  stop(): Promise<void>;
  /** Sends the partial frame now, padded with silence (the end of a push-to-talk utterance). */
  flush?(): void;
  on<K extends keyof VoiceSourceEvents>(event: K, listener: VoiceSourceEvents[K]): () => void;
}
