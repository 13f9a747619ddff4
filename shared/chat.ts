import type { TurnTimings } from './assistant.ts';
import type { Problem } from './problems.ts';
import type { OutboxStatus } from './session-events.ts';

/** One line of the conversation, as the window, the CLI and the history store see it. */
export interface ChatMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly role: ChatRole;
  readonly text: string;
  /** Emotion name from the server's `llm` message (assistant messages only). */
  readonly emotion: string | null;
  readonly status: MessageStatus;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** For system lines: what kind of line it is. */
  readonly systemKind: SystemKind | null;
  /**
   * A system line Lumi wrote itself, as data: the window words it in the user's language.
   * `text` holds it in English (for search, the CLI and the export); lines without it (the
   * server's own words, and lines from before it existed) show `text`.
   */
  readonly notice?: Problem;
  /** Turn timings, on the assistant message once its turn ended. */
  readonly timings: TurnTimings | null;
  /** Some of the server's text was cut (shared/bounded-text.ts); absent when nothing was. */
  readonly truncated?: boolean;
  /**
   * A system line's picture: the thumbnail of the screen or photo Lumi sent (a
   * `data:image/jpeg` URL Lumi made itself). Shown in the live conversation; the history keeps
   * it only when the `keepPictureThumbnails` setting is on.
   */
  readonly image?: string;
}

export type ChatRole = 'user' | 'assistant' | 'system';

/**
 * - an OutboxStatus: typed text on its way out (the outbox, shared/session-events.ts);
 * - streaming: an assistant reply whose sentences are still arriving;
 * - done: final.
 */
export type MessageStatus = OutboxStatus | 'streaming' | 'done';

export type SystemKind = 'alert' | 'error' | 'tool' | 'server' | 'task' | 'info';
