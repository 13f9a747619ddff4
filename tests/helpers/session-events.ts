import type { SessionEvent } from '../../shared/session-events.ts';
import type { Session } from '../../main/core/session/session.ts';

/** The next session event of `type` that matches `predicate`, or a rejection after `timeoutMs`. */
export function nextEvent<T extends SessionEvent['type']>(
  session: Session,
  type: T,
  predicate: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true,
  timeoutMs = 8_000,
): Promise<Extract<SessionEvent, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = session.onEvent((event) => {
      if (event.type !== type) return;
      const typed = event as Extract<SessionEvent, { type: T }>;
      if (!predicate(typed)) return;
      clearTimeout(timer);
      off();
      resolve(typed);
    });
  });
}
