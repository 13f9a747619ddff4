/** What the assistant is doing, above the connection (FW device states a desktop needs). */
export type AssistantState = 'idle' | 'connecting' | 'listening' | 'thinking' | 'speaking';

/** How a voice turn ends: push-to-talk, the server's VAD, or an always-open microphone. */
export type ListenMode = 'manual' | 'auto' | 'realtime';

/** Timings of one turn, in milliseconds from the moment the user finished (text sent or mic released). */
export interface TurnTimings {
  /** To the server's first reaction (stt or tts start). */
  readonly firstResponseMs: number | null;
  /** To the first sentence text. */
  readonly firstSentenceMs: number | null;
  /** To the first reply audio frame. */
  readonly firstAudioMs: number | null;
  /** To `tts stop`. */
  readonly totalMs: number;
}
