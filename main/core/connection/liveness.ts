/**
 * Whether the server of a ready session is still there: our own ping every ping interval (XS
 * pings every 20 s and cuts an unanswered peer, docs/protocol.md §6.4, §8.7), and a ping on
 * demand — a nudge after sleep, a turn just sent — that must be answered within its timeout, or
 * the attempt is cut with `pongTimedOut` and the connection reconnects. Only liveness is checked:
 * a slow answer (an LLM thinking, a tool call) is fine. Also tells when the session has stayed
 * up long enough to earn the backoff back.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { Clock } from '../util/clock.ts';
import { NamedTimers } from '../util/named-timers.ts';
import {
  NUDGE_PONG_TIMEOUT,
  PING_INTERVAL,
  PONG_TIMEOUT,
  STABLE_AFTER,
  type ConnectionOptions,
} from './options.ts';

export interface LivenessHooks {
  /** Ask the peer to prove it is alive (the carrier's probe); false when it cannot be asked now. */
  readonly probe: () => boolean;
  /** No answer in time: cut the attempt with `cause`. */
  readonly silent: (cause: Problem) => void;
  /** The session stayed up STABLE_AFTER. */
  readonly stable: () => void;
}

/** The timers of one ready session at a time; the connection stops them with the session. */
export class Liveness {
  readonly #timers: NamedTimers<'ping' | 'pong' | 'stable'>;
  readonly #options: Pick<ConnectionOptions, 'pingIntervalMs' | 'pongTimeoutMs'>;
  #hooks: LivenessHooks | null = null;

  constructor(clock: Clock, options: Pick<ConnectionOptions, 'pingIntervalMs' | 'pongTimeoutMs'>) {
    this.#timers = new NamedTimers(clock);
    this.#options = options;
  }

  /** A session became ready: ping it every interval until `stop`. */
  start(hooks: LivenessHooks): void {
    this.#hooks = hooks;
    this.#schedulePing();
    this.#timers.set('stable', STABLE_AFTER, hooks.stable);
  }

  /** Ping now (a turn was sent or went quiet); no answer within the pong timeout cuts it. */
  probe(): void {
    this.#ping(this.#options.pongTimeoutMs ?? PONG_TIMEOUT);
  }

  /** Ping now after sleep or a network change: it must answer sooner than a probe. */
  nudge(): void {
    this.#ping(this.#options.pongTimeoutMs ?? NUDGE_PONG_TIMEOUT);
  }

  #ping(timeoutMs: number): void {
    const hooks = this.#hooks;
    if (!hooks?.probe()) return;
    // One deadline at a time: a second ping must not push back the first one's.
    if (this.#timers.has('pong')) return;
    this.#timers.set('pong', timeoutMs, () => {
      hooks.silent({ code: 'pongTimedOut', seconds: Math.ceil(timeoutMs / 1000) });
    });
  }

  /** The peer answered a ping. */
  answered(): void {
    this.#timers.clear('pong');
  }

  /** The session is over. */
  stop(): void {
    this.#timers.clearAll();
    this.#hooks = null;
  }

  #schedulePing(): void {
    this.#timers.set('ping', this.#options.pingIntervalMs ?? PING_INTERVAL, () => {
      this.probe();
      this.#schedulePing();
    });
  }
}
