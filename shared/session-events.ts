import type { AssistantState, ListenMode, TurnTimings } from './assistant.ts';
import type { ChatMessage } from './chat.ts';
import type { ConnectionState } from './connection-state.ts';
import type { Problem } from './problems.ts';

/**
 * Where typed text stands (main/core/connection/outbox.ts):
 * - queued: waiting for a session (again after a connection dropped it unconfirmed);
 * - sending: written to the socket, not yet confirmed by the server;
 * - sent: the server showed it got it (its first `stt`, `tts start`, `llm`, `alert` or
 *   `response` after the write), or the user stopped the turn;
 * - refused: the server answered with an `alert` instead of a reply (shown, never retried);
 * - failed: the server kept silent about it until the turn timed out (resend offered);
 * - expired: it waited longer than the age limit; never sent on its own (resend offered);
 * - cancelled: the user took it back before it left.
 */
export type OutboxStatus =
  'queued' | 'sending' | 'sent' | 'refused' | 'failed' | 'expired' | 'cancelled';

/** Typed text on its way to the server. */
export interface OutboxItem {
  readonly id: string;
  readonly text: string;
  readonly status: OutboxStatus;
  /** Epoch milliseconds when the user typed it (or last asked to resend it). */
  readonly createdAt: number;
  /** Why the server refused the message (`messageRefused`, with its alert's words), else null. */
  readonly error: Problem | null;
}

/**
 * Packet loss in the reply being played, by the transport's sequence numbers (MQTT+UDP; all
 * zero over WebSocket, which numbers nothing and loses nothing).
 */
export interface PacketLossStats {
  /** Packets that never arrived in time. */
  readonly lostPackets: number;
  /** Lost packets that arrived after their audio had been filled in; dropped. */
  readonly latePackets: number;
  /** Packets that arrived again after being played; dropped. */
  readonly duplicatePackets: number;
  /** Lost packets rebuilt from the next packet's in-band FEC. */
  readonly recoveredPackets: number;
  /** Audio of lost packets that the decoder concealed (no FEC to rebuild it from). */
  readonly lossConcealedMs: number;
}

/** Jitter-buffer statistics of the reply being played, with its packet loss. */
export interface JitterStats extends PacketLossStats {
  readonly targetMs: number;
  readonly bufferedMs: number;
  readonly underruns: number;
  readonly concealedMs: number;
  readonly droppedFrames: number;
  readonly lateFrames: number;
}

/** One entry of the raw protocol log (what crossed the socket, secrets never included). */
export interface ProtocolLogEntry {
  readonly at: number;
  readonly direction: 'in' | 'out';
  readonly kind: 'json' | 'text' | 'binary' | 'invalid';
  /** The raw text for JSON and text frames (truncated), or a summary for binary frames. */
  readonly text: string;
}

/**
 * Everything a front end learns from the core, as one discriminated union. Names read as
 * past-tense facts. The IPC contract forwards these as they are.
 */
export type SessionEvent =
  | {
      readonly type: 'connectionChanged';
      readonly previous: ConnectionState;
      readonly next: ConnectionState;
    }
  | {
      readonly type: 'assistantChanged';
      readonly previous: AssistantState;
      readonly next: AssistantState;
    }
  | { readonly type: 'modeChanged'; readonly mode: ListenMode }
  /**
   * Turns may go to the server: its device-tool handshake is over (`tools-listed`), it has none
   * (`no-tools`, `no-initialize`) or the wait was given up (`max-wait`).
   */
  | {
      readonly type: 'turnsOpened';
      readonly why: 'no-tools' | 'tools-listed' | 'no-initialize' | 'max-wait';
      readonly waitedMs: number;
    }
  | { readonly type: 'userTranscribed'; readonly text: string }
  | { readonly type: 'sentenceStarted'; readonly text: string }
  | { readonly type: 'emotionChanged'; readonly emotion: string; readonly emoji: string }
  | {
      readonly type: 'alertReceived';
      readonly status: string;
      readonly message: string;
      readonly emotion: string | null;
    }
  | { readonly type: 'errorOccurred'; readonly problem: Problem }
  | { readonly type: 'turnEnded'; readonly timings: TurnTimings; readonly aborted: boolean }
  | { readonly type: 'outboxChanged'; readonly item: OutboxItem }
  | { readonly type: 'messageUpserted'; readonly message: ChatMessage }
  /**
   * `text` (with its separator) was added to the end of message `id`, a streaming reply: a new
   * sentence costs every front end and the store the sentence, not the whole reply again.
   */
  | {
      readonly type: 'messageAppended';
      readonly id: string;
      readonly conversationId: string;
      readonly text: string;
      readonly updatedAt: number;
      readonly truncated: boolean;
    }
  | { readonly type: 'protocolLogged'; readonly entry: ProtocolLogEntry }
  | { readonly type: 'inputLevel'; readonly dbfs: number; readonly speaking: boolean }
  | { readonly type: 'inputTooQuiet'; readonly dbfs: number }
  | { readonly type: 'jitterStats'; readonly stats: JitterStats }
  | { readonly type: 'playbackDrained' }
  | { readonly type: 'audioFrameSkipped'; readonly problem: Problem; readonly total: number }
  | { readonly type: 'audioFrameDropped'; readonly total: number }
  | {
      readonly type: 'deviceError';
      readonly direction: 'input' | 'output';
      readonly problem: Problem;
    };

export type SessionEventType = SessionEvent['type'];

export type SessionErrorCode =
  'protocol' | 'connect' | 'auth' | 'timeout' | 'audio' | 'server' | 'not_ready' | 'outbox_full';
