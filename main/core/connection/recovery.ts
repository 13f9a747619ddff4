/**
 * What the connection does after an attempt ended (docs/protocol.md §6.5): the verdict of
 * close-reason.ts in, the next state and attempt out. Quick retries back off and then give way to
 * a slow retry; refused credentials get one refresh; auto's fallback to the WebSocket comes
 * before giving up on MQTT + UDP. Owns the counts that decide it; connection.ts owns the state.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import { problemOf } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Clock, RandomSource } from '../util/clock.ts';
import { backoffDelay, type ReconnectOptions } from './backoff.ts';
import type { CloseVerdict } from './close-reason.ts';

export interface RecoveryHooks {
  readonly state: () => ConnectionState;
  readonly setState: (next: ConnectionState) => void;
  /** Start the next attempt now. */
  readonly open: () => void;
  /** Run `callback` after `ms` (the connection's one `retry` timer). */
  readonly schedule: (ms: number, callback: () => void) => void;
  /** The current transport's credential refresh, if it has one (carrier.ts). */
  readonly refreshCredentials: () => (() => Promise<boolean>) | undefined;
  /** Switch to the fallback transport and open it; false when there is none. */
  readonly fallBack: (cause: Problem) => boolean;
}

export class Recovery {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #backoff: ReconnectOptions;
  readonly #hooks: RecoveryHooks;
  /** Failed attempts since the last session was established: the give-up count. */
  #failures = 0;
  /**
   * Backoff step: grows with every retry and resets only once a connection stayed up, so a
   * server that accepts and then drops us at once is not hammered.
   */
  #backoffStep = 0;
  #credentialsRefreshed = false;

  constructor(clock: Clock, random: RandomSource, backoff: ReconnectOptions, hooks: RecoveryHooks) {
    this.#clock = clock;
    this.#random = random;
    this.#backoff = backoff;
    this.#hooks = hooks;
  }

  /** The number of the attempt about to start. */
  get attemptNumber(): number {
    return this.#failures + 1;
  }

  /** A user's connect or a new transport: every count starts over. */
  restart(): void {
    this.#failures = 0;
    this.#backoffStep = 0;
    this.#credentialsRefreshed = false;
  }

  /** A server session was established. */
  established(): void {
    this.#failures = 0;
  }

  /** The session stayed up long enough: the backoff and the refresh are earned back. */
  stable(): void {
    this.#backoffStep = 0;
    this.#credentialsRefreshed = false;
  }

  /** Act on the verdict of a closed attempt. */
  follow(verdict: CloseVerdict): void {
    const hooks = this.#hooks;
    switch (verdict.kind) {
      case 'ours':
        if (hooks.state().kind !== 'disconnected') {
          hooks.setState({ kind: 'disconnected', reason: 'user' });
        }
        return;
      case 'idle':
        this.#failures = 0;
        this.#backoffStep = 0;
        hooks.setState({ kind: 'disconnected', reason: 'idle' });
        return;
      case 'auth':
        void this.#onAuthFailure(verdict.cause);
        return;
      case 'fatal':
        if (hooks.fallBack(verdict.cause)) return;
        hooks.setState({ kind: 'failed', cause: verdict.cause, gaveUpAfter: null, retryAt: null });
        return;
      case 'retry':
        this.#scheduleRetry(verdict.cause);
        return;
    }
  }

  async #onAuthFailure(cause: Problem): Promise<void> {
    const refresh = this.#hooks.refreshCredentials();
    if (refresh && !this.#credentialsRefreshed) {
      this.#credentialsRefreshed = true;
      let renewed: boolean;
      try {
        renewed = await refresh();
      } catch (error) {
        this.#hooks.setState({ kind: 'authFailed', cause, refreshFailed: problemOf(error) });
        return;
      }
      if (renewed) {
        this.#hooks.open();
        return;
      }
    }
    this.#hooks.setState({ kind: 'authFailed', cause, refreshFailed: null });
  }

  #scheduleRetry(cause: Problem): void {
    this.#failures += 1;
    if (this.#failures >= this.#backoff.maxAttempts) {
      if (this.#hooks.fallBack(cause)) return;
      this.#scheduleSlowRetry(cause);
      return;
    }
    this.#backoffStep += 1;
    const delay = backoffDelay(this.#backoffStep, this.#backoff, this.#random);
    this.#hooks.setState({
      kind: 'reconnecting',
      attempt: this.#failures + 1,
      retryAt: this.#clock.now() + delay,
      cause,
    });
    this.#hooks.schedule(delay, () => {
      if (this.#hooks.state().kind === 'reconnecting') this.#hooks.open();
    });
  }

  /** The quick attempts are spent: `failed` for the UI, and one more attempt now and then. */
  #scheduleSlowRetry(cause: Problem): void {
    const delay = this.#backoff.slowRetryMs;
    this.#hooks.setState({
      kind: 'failed',
      cause,
      gaveUpAfter: this.#failures,
      retryAt: this.#clock.now() + delay,
    });
    this.#hooks.schedule(delay, () => {
      if (this.#hooks.state().kind === 'failed') this.#hooks.open();
    });
  }
}
