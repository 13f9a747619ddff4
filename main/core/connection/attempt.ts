/**
 * One attempt at a server session over one carrier, and what happened on it that decides how
 * its close reads (close-reason.ts): who closed, refused credentials, the server's hello, a
 * goodbye, the failure that cut it. The connection makes one per attempt and ignores every event
 * of an attempt that is no longer its current one.
 */
import type { Problem } from '../../../shared/problems.ts';
import { AUTH_FAILED_TEXT, type InboundFrame } from '../protocol/parse.ts';
import type { ServerHello } from '../protocol/server-messages.ts';
import type { Carrier, CloseReport } from './carrier.ts';
import { classifyClose, type CloseVerdict } from './close-reason.ts';

export class Attempt {
  readonly carrier: Carrier;
  /** The server answered with its authentication-failure text (docs/protocol.md §8.1). */
  authRejected = false;
  initiatedByUs = false;
  saidGoodbye = false;
  /** What cut the attempt (a missed hello or pong, a dead peer), for its close. */
  error: Problem | null = null;
  /** The server's hello once it came: the session was established. */
  hello: ServerHello | null = null;

  constructor(carrier: Carrier) {
    this.carrier = carrier;
  }

  /**
   * A server text of this session: notes the authentication-failure text, and tells the carrier
   * where a reply's audio begins and ends (UDP checks that the audio really arrives).
   */
  noteServerText(frame: InboundFrame): void {
    if (frame.kind === 'text' && frame.text.trim() === AUTH_FAILED_TEXT) this.authRejected = true;
    if (frame.kind !== 'message' || frame.message.type !== 'tts') return;
    if (frame.message.state === 'start') this.carrier.replyStarted();
    if (frame.message.state === 'stop') this.carrier.replyEnded();
  }

  /** Cut it now: its close then carries `cause`. */
  cut(cause: Problem): void {
    this.error = cause;
    this.carrier.terminate(cause);
  }

  /** What its close means. */
  verdict(report: CloseReport, turnInFlight: boolean): CloseVerdict {
    return classifyClose({
      initiatedByUs: this.initiatedByUs,
      authRejected: this.authRejected || report.authRejected,
      httpStatus: report.httpStatus,
      code: report.code,
      wasReady: this.hello !== null,
      saidGoodbye: this.saidGoodbye,
      turnInFlight,
      error: this.error ?? report.error,
    });
  }
}
