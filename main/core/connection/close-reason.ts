/**
 * What a closed socket means for the next step (docs/protocol.md §6.5, §8): our own close
 * is final; the server's clean close of an idle session ends the conversation (reconnect on
 * the next user action, never in a loop); an authentication failure gets one token refresh or
 * stops; everything else is a network problem and backs off.
 */
export type CloseVerdict =
  | { readonly kind: 'ours' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'auth'; readonly message: string }
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'fatal'; readonly reason: string };

export interface CloseFacts {
  /** We asked for the close (disconnect, quit, our idle hang-up). */
  readonly initiatedByUs: boolean;
  /** The server sent its authentication-failure text before closing. */
  readonly authRejected: boolean;
  /** The HTTP status when the upgrade was refused, else null. */
  readonly httpStatus: number | null;
  /** WebSocket close code (1006 when the socket died without a close frame). */
  readonly code: number;
  /** A session was established (server hello received). */
  readonly wasReady: boolean;
  /** The server said goodbye (or spoke its farewell) before closing. */
  readonly saidGoodbye: boolean;
  /** Network error text, if the socket failed with one. */
  readonly error: string | null;
}

/** Close codes a server uses to end a session on purpose: normal, going away, no status. */
const CLEAN_CLOSE_CODES = new Set([1000, 1001, 1005]);

/** Decide what a close means. */
export function classifyClose(facts: CloseFacts): CloseVerdict {
  if (facts.initiatedByUs) return { kind: 'ours' };
  if (facts.authRejected) {
    return { kind: 'auth', message: 'The server rejected the token (认证失败).' };
  }
  if (facts.httpStatus === 401 || facts.httpStatus === 403) {
    return {
      kind: 'auth',
      message: `The server refused the connection (HTTP ${facts.httpStatus}).`,
    };
  }
  if (facts.httpStatus !== null) {
    if (facts.httpStatus >= 500) {
      return { kind: 'retry', reason: `The server failed the upgrade (HTTP ${facts.httpStatus}).` };
    }
    return {
      kind: 'fatal',
      reason: `The server answered HTTP ${facts.httpStatus} instead of a WebSocket; check the URL and its path (e.g. /xiaozhi/v1/).`,
    };
  }
  if (facts.wasReady && (facts.saidGoodbye || CLEAN_CLOSE_CODES.has(facts.code))) {
    return { kind: 'idle' };
  }
  if (facts.error) return { kind: 'retry', reason: facts.error };
  return { kind: 'retry', reason: `The connection closed (code ${facts.code}).` };
}
