import type { Problem } from './problems.ts';

/**
 * The connection to a xiaozhi server, as every front end sees it. One union, changed in one
 * place (main/core/connection/connection.ts). It covers the ConnectionState of the original
 * Lumi design (initial … failed) plus the states a real xiaozhi server makes necessary.
 */
export type ConnectionState =
  | { readonly kind: 'initial' }
  | { readonly kind: 'connecting'; readonly attempt: number; readonly url: string }
  | { readonly kind: 'connected' }
  | { readonly kind: 'handshaking' }
  | {
      readonly kind: 'ready';
      readonly sessionId: string;
      readonly serverVersion: string;
      /** What carries the session: one WebSocket, or MQTT with UDP audio. */
      readonly transport: TransportKind;
    }
  | {
      readonly kind: 'reconnecting';
      readonly attempt: number;
      /** Epoch milliseconds of the next attempt, for a countdown. */
      readonly retryAt: number;
      /** Why the last attempt ended. */
      readonly cause: Problem;
    }
  | { readonly kind: 'disconnected'; readonly reason: DisconnectReason }
  | {
      readonly kind: 'failed';
      readonly cause: Problem;
      /** Set when quick retrying gave up after this many attempts; null when retrying cannot help. */
      readonly gaveUpAfter: number | null;
      /**
       * Epoch milliseconds of the next slow retry (Lumi keeps trying about once a minute after
       * the quick attempts, so queued messages still go out); null when retrying cannot help.
       */
      readonly retryAt: number | null;
    }
  | {
      readonly kind: 'authFailed';
      /** `tokenRejected`, `authRefused` or `brokerRefused`. */
      readonly cause: Problem;
      /** Why getting a fresh token through OTA failed, or null when none was tried or got. */
      readonly refreshFailed: Problem | null;
    };

export type ConnectionKind = ConnectionState['kind'];

/** What carries a session: one WebSocket, or MQTT for messages with UDP for audio. */
export type TransportKind = 'websocket' | 'mqtt';

/**
 * Why a connection ended without retrying:
 * - `user`: we closed it (disconnect, quit, idle hang-up of our own);
 * - `idle`: the server ended a quiet session cleanly (1000/1001/1005 or after its farewell);
 *   the next user action reconnects.
 */
export type DisconnectReason = 'user' | 'idle';

/** Whether a connection state counts as usable for sending. */
export function isReady(
  state: ConnectionState,
): state is Extract<ConnectionState, { kind: 'ready' }> {
  return state.kind === 'ready';
}
