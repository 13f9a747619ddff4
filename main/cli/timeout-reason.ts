/**
 * What a CLI run that hit `--timeout` was waiting for. "Timed out after 20 s" alone leaves the
 * user guessing; a server that accepts the socket but never answers the hello is almost always
 * the wrong address or path (an HTTP server, a proxy, another service on that port), so that
 * case gets its own words and a fix.
 */
import type { ConnectionState } from '../../shared/connection-state.ts';
import type { Problem } from '../../shared/problems.ts';
import type { SessionEvent } from '../../shared/session-events.ts';

interface EventSource {
  onEvent(listener: (event: SessionEvent) => void): () => void;
}

export interface TimeoutReason {
  /** The problem to report when the timeout of `seconds` runs out now. */
  problem(seconds: number): Problem;
  stop(): void;
}

/** Whether this state, or the attempt before it, is a server that left the hello unanswered. */
function waitingForHello(state: ConnectionState): boolean {
  return (
    state.kind === 'handshaking' ||
    (state.kind === 'reconnecting' && state.cause.code === 'helloTimedOut')
  );
}

/** Watch the session's connection to name what a timeout was waiting for. */
export function watchTimeoutReason(session: EventSource): TimeoutReason {
  let helloUnanswered = false;
  let everReady = false;
  const stop = session.onEvent((event) => {
    if (event.type !== 'connectionChanged') return;
    if (event.next.kind === 'ready') everReady = true;
    // A new attempt keeps the verdict of the one before it until it gets further.
    if (waitingForHello(event.next)) helloUnanswered = true;
    else if (event.next.kind !== 'connecting' && event.next.kind !== 'connected') {
      helloUnanswered = false;
    }
  });
  return {
    problem: (seconds) =>
      helloUnanswered && !everReady
        ? { code: 'helloNeverAnswered', seconds }
        : { code: 'timedOut', seconds },
    stop,
  };
}
