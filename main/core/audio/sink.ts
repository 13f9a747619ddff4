import type { PacketLossStats } from '../../../shared/session-events.ts';

/**
 * Where decoded reply audio goes. The session decodes the server's Opus at the sink's rate
 * (one decoder per reply, reset at `tts start`) and hands every frame over with its arrival
 * time; the sink decides when it is heard (a WAV file, nothing, or the speaker behind a jitter
 * buffer).
 */
export interface AudioSink {
  /** The rate the session must decode at (48 kHz works for every server). */
  readonly sampleRate: number;
  /** A reply starts (`tts start`). */
  beginReply(): void;
  /** One decoded frame, mono s16, with the arrival time on the socket (clock ms). */
  write(pcm: Int16Array, arrivedAt: number): void;
  /** The reply's packet loss so far (a sink that reports statistics reports these too). */
  notePacketLoss?(loss: PacketLossStats): void;
  /** `tts stop`: no more frames for this reply. Resolves once everything written was played. */
  endReply(): Promise<void>;
  /** Barge-in: drop everything buffered now. */
  flush(): void;
  /**
   * A reply is likely soon (the user started talking or typed): open the output now, because a
   * sound server can take a second to start a new stream and the reply would wait for it.
   */
  warmUp?(): void;
  /** Release devices and files. */
  close(): Promise<void>;
}
