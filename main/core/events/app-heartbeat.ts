/**
 * The application-level heartbeat of the real-time module (docs/protocol.md §9.2): `{"type":"ping"}` every
 * 30 s, answered by `{"type":"pong"}`. xiaozhi-esp32-server answers it only with
 * `enable_websocket_ping: true` (docs/protocol.md §3.2), so it is a per-profile option. A missing
 * pong declares the server silent; the connection then drops the socket and reconnects.
 */
import { appPing } from '../protocol/client-messages.ts';
import type { ServerMessage } from '../protocol/server-messages.ts';
import { SECOND, type Clock, type TimerHandle } from '../util/clock.ts';
import type { SendMessage } from '../protocol/client-messages.ts';

/** The original module's heartbeat period. */
export const APP_PING_INTERVAL = 30 * SECOND;
/** A server that has not answered a ping by then is considered silent. */
export const APP_PONG_TIMEOUT = 10 * SECOND;

export interface AppHeartbeatOptions {
  readonly send: SendMessage;
  readonly clock: Clock;
  /** The server missed a pong: terminate and reconnect. The heartbeat has stopped itself. */
  readonly onSilent: () => void;
  readonly intervalMs?: number;
  readonly pongTimeoutMs?: number;
}

export class AppHeartbeat {
  readonly #options: AppHeartbeatOptions;
  readonly #intervalMs: number;
  readonly #pongTimeoutMs: number;
  #pingTimer: TimerHandle | null = null;
  #pongTimer: TimerHandle | null = null;

  constructor(options: AppHeartbeatOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs ?? APP_PING_INTERVAL;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? APP_PONG_TIMEOUT;
  }

  get running(): boolean {
    return this.#pingTimer !== null;
  }

  /** Start beating (when a session becomes ready); the first ping goes out after one interval. */
  start(): void {
    this.stop();
    this.#schedule();
  }

  /** Stop beating (the session ended, or the profile turned the heartbeat off). */
  stop(): void {
    const { clock } = this.#options;
    if (this.#pingTimer) clock.clearTimeout(this.#pingTimer);
    if (this.#pongTimer) clock.clearTimeout(this.#pongTimer);
    this.#pingTimer = null;
    this.#pongTimer = null;
  }

  /** Feed one parsed server message; true when it was a pong. */
  handle(message: ServerMessage): boolean {
    if (message.type !== 'pong') return false;
    if (this.#pongTimer) this.#options.clock.clearTimeout(this.#pongTimer);
    this.#pongTimer = null;
    return true;
  }

  #schedule(): void {
    this.#pingTimer = this.#options.clock.setTimeout(() => this.#beat(), this.#intervalMs);
  }

  #beat(): void {
    const { clock, send } = this.#options;
    // A ping that cannot be sent means the socket is already gone; the connection reports that.
    if (send(appPing()) && this.#pongTimer === null) {
      this.#pongTimer = clock.setTimeout(() => this.#silent(), this.#pongTimeoutMs);
    }
    this.#schedule();
  }

  #silent(): void {
    this.stop();
    this.#options.onSilent();
  }
}
