import type { Connection } from '../connection/connection.ts';

/**
 * A user action that needs the server (typed text, a press) connects when nothing is trying
 * to; while a connection is being made or a retry is scheduled it waits for that one, so a user
 * typing through an outage does not spend the attempts the backoff allows.
 */
export function connectUnlessTrying(connection: Connection): void {
  const kind = connection.state.kind;
  if (kind === 'initial' || kind === 'disconnected' || kind === 'failed' || kind === 'authFailed') {
    connection.connect();
  }
}
