import { describeProblem } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';

/**
 * What a closed socket means for the next step (docs/protocol.md §6.5, §8): our own close
 * is final; the server's clean close of an idle session ends the conversation (reconnect on
 * the next user action, never in a loop); an authentication failure gets one token refresh or
 * stops; everything else is a network problem and backs off. A clean close code while a turn is
 * in flight is not an idle hang-up: the server went away in the middle of answering (a restart
 * sends 1001 or 1012), so Lumi reconnects and the unconfirmed message goes again.
 */
export type CloseVerdict =
  | { readonly kind: 'ours' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'auth'; readonly cause: Problem }
  | { readonly kind: 'retry'; readonly cause: Problem }
  | { readonly kind: 'fatal'; readonly cause: Problem };

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
  /** A turn (typed or spoken) was waiting for its reply when the socket closed. */
  readonly turnInFlight: boolean;
  /** What the socket failed with (a network error, a missed pong, no hello), if anything. */
  readonly error: Problem | null;
}

/** Close codes a server uses to end a session on purpose: normal, going away, no status. */
const CLEAN_CLOSE_CODES = new Set([1000, 1001, 1005]);

/** Transport failures that retrying the same way cannot mend (the UDP path, docs/protocol.md §1.4). */
const FATAL_ERRORS: ReadonlySet<Problem['code']> = new Set(['udpBlocked', 'udpMissing']);

/** Decide what a close means. */
export function classifyClose(facts: CloseFacts): CloseVerdict {
  if (facts.initiatedByUs) return { kind: 'ours' };
  if (facts.authRejected) {
    const broker = facts.error?.code === 'brokerRefused' ? facts.error : null;
    return { kind: 'auth', cause: broker ?? { code: 'tokenRejected' } };
  }
  const status = facts.httpStatus;
  if (status === 401 || status === 403) {
    return { kind: 'auth', cause: { code: 'authRefused', status } };
  }
  if (status !== null) {
    if (status >= 500) return { kind: 'retry', cause: { code: 'upgradeFailed', status } };
    return { kind: 'fatal', cause: { code: 'notWebSocket', status } };
  }
  const cleanWhileIdle = !facts.turnInFlight && CLEAN_CLOSE_CODES.has(facts.code);
  if (facts.wasReady && (facts.saidGoodbye || cleanWhileIdle)) return { kind: 'idle' };
  // Audio that never arrives will not arrive on the next try either: say so and stop.
  if (facts.error && FATAL_ERRORS.has(facts.error.code))
    return { kind: 'fatal', cause: facts.error };
  if (facts.error) return { kind: 'retry', cause: facts.error };
  return { kind: 'retry', cause: { code: 'closed', closeCode: facts.code } };
}

/** The verdict in English, for the protocol log. */
export function describeVerdict(verdict: CloseVerdict): string {
  switch (verdict.kind) {
    case 'ours':
      return 'closed by us';
    case 'idle':
      return 'the server ended the session';
    case 'auth':
    case 'retry':
    case 'fatal':
      return describeProblem(verdict.cause);
  }
}
