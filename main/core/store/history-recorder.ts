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

/** Store the session's messages in `history`; returns the function that stops recording. */
export function recordHistory(
  session: EventSource,
  history: HistoryStore,
  onWriteFailed: (error: unknown) => void,
): () => void {
  return session.onEvent((event) => {
    if (event.type !== 'messageUpserted') return;
    try {
      history.upsert(event.message);
    } catch (error) {
      onWriteFailed(error);
    }
  });
}
