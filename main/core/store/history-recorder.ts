/**
 * Every message of a session, stored as it changes: the one way the app core and the CLI keep
 * history. Each write is its own committed transaction (history.ts), so a crash loses at most
 * the sentence being written; a failed write is reported and never stops the conversation.
 */
import type { SessionEvent } from '../../../shared/session-events.ts';
import type { HistoryStore } from './history.ts';

interface EventSource {
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

/** Whether a picture's thumbnail is stored with its line (the `keepPictureThumbnails` setting). */
export type KeepPictures = () => boolean;

const neverKeep: KeepPictures = () => false;

/**
 * Apply one session event to `history`: a message written whole (without its picture unless
 * `keepPictures` says so), or a sentence appended to a streaming reply. Other events are not
 * history. Throws what the store throws.
 */
export function recordEvent(
  history: HistoryStore,
  event: SessionEvent,
  keepPictures: KeepPictures = neverKeep,
): void {
  if (event.type === 'messageUpserted') {
    const { image, ...message } = event.message;
    history.upsert(image !== undefined && keepPictures() ? event.message : message);
  } else if (event.type === 'messageAppended') {
    history.append(event);
  }
}

/** Store the session's messages in `history`; returns the function that stops recording. */
export function recordHistory(
  session: EventSource,
  history: HistoryStore,
  onWriteFailed: (error: unknown) => void,
  keepPictures: KeepPictures = neverKeep,
): () => void {
  return session.onEvent((event) => {
    try {
      recordEvent(history, event, keepPictures);
    } catch (error) {
      onWriteFailed(error);
    }
  });
}
