/**
 * Holds the active profile's session for the app core: opens it on first use, switches it when
 * the active profile changes, and lets go of it on close. `ensure()` is the one way to get a
 * session, and the only place that subscribes to one: each session is subscribed once, right
 * when it is built, before anyone can tell it to connect.
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import type { Session } from '../session/session.ts';
import type { ActiveSession } from './active-session.ts';

export interface SessionHostDeps {
  /** A new, unbuilt session of the profile that is active now. */
  readonly open: () => ActiveSession;
  /** Subscribes to a session just built; returns the unsubscribe function. */
  readonly subscribe: (session: Session) => () => void;
  readonly emit: (event: AppEvent) => void;
  /** The profiles as they are now, for the `profilesChanged` a switch announces. */
  readonly profiles: () => readonly ServerProfile[];
}

const INITIAL: ConnectionState = { kind: 'initial' };

export class SessionHost {
  readonly #deps: SessionHostDeps;
  #active: ActiveSession | null = null;
  #subscription: { readonly session: Session; readonly unsubscribe: () => void } | null = null;
  #closed = false;

  constructor(deps: SessionHostDeps) {
    this.#deps = deps;
  }

  /** The profile whose session is open, if one is. */
  get profile(): ServerProfile | null {
    return this.#active?.profile ?? null;
  }

  /** The built session, if there is one (never builds one). */
  get session(): Session | null {
    return this.#active?.session ?? null;
  }

  /** The connection state, also while the endpoint is being resolved (OTA) or before. */
  get connection(): ConnectionState {
    return this.#active?.connection ?? INITIAL;
  }

  /** The active profile's session, opened, built and subscribed on first use. */
  async ensure(): Promise<Session> {
    const active = this.#opened();
    const session = await active.ensure();
    // The profile was switched while this one was being built: hand out the new one.
    if (active !== this.#active) return this.ensure();
    if (this.#subscription?.session !== session) {
      this.#subscription?.unsubscribe();
      this.#subscription = { session, unsubscribe: this.#deps.subscribe(session) };
    }
    return session;
  }

  /** Connect now (a user action); a failure to build the session shows as `failed`. */
  async connect(): Promise<void> {
    let session: Session;
    try {
      session = await this.ensure();
    } catch {
      return;
    }
    session.connect();
  }

  /**
   * Retry now. A profile whose endpoint could not be resolved (OTA failed) has no session to
   * retry: it is opened afresh.
   */
  async retry(): Promise<void> {
    const active = this.#opened();
    if (!active.session && active.connection.kind === 'failed') await this.switchProfile();
    (await this.ensure()).connection.retry();
  }

  /**
   * The active profile changed (or its settings did): close the old session and announce the
   * change; reconnect if the old one was connected.
   */
  async switchProfile(): Promise<void> {
    const previous = this.#active;
    const wasConnected = previous?.connection.kind === 'ready';
    this.#unsubscribe();
    this.#active = null;
    if (previous) {
      await previous.close();
      this.#deps.emit({ type: 'connectionChanged', previous: previous.connection, next: INITIAL });
    }
    this.#deps.emit({ type: 'profilesChanged', profiles: this.#deps.profiles() });
    if (wasConnected) await this.connect();
  }

  /** Let go of the session: unsubscribe and close it. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    const active = this.#active;
    this.#active = null;
    await active?.close();
  }

  #opened(): ActiveSession {
    if (this.#closed) throw new Error('Lumi is shutting down.');
    this.#active ??= this.#deps.open();
    return this.#active;
  }

  #unsubscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = null;
  }
}
