/**
 * The session of the active server profile: resolves its endpoint (directly, or through OTA
 * with activation), builds the Session with the profile's dialect, device tools and server
 * events, and reports the connection state even before a socket exists (during OTA).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import { ProblemError } from '../../../shared/problem-english.ts';
import { errorDetail, type Problem } from '../../../shared/problems.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import type { AudioSink } from '../audio/sink.ts';
import type { Logger } from '../log/logger.ts';
import type { ConsentGate } from '../mcp/consent.ts';
import type { DesktopCapabilities } from '../mcp/capabilities.ts';
import type { ReplyDecoderFactory } from '../session/ports.ts';
import type { Session } from '../session/session.ts';
import type { VoiceOptions } from '../session/voice-turns.ts';
import type { HistoryStore } from '../store/history.ts';
import type { IdentityStore } from '../store/identity.ts';
import type { ProfileStore } from '../store/profiles.ts';
import type { Clock } from '../util/clock.ts';
import { otaProblem } from '../ota/ota-problem.ts';
import { createSession } from './create-session.ts';
import { dialectSetup } from './dialect.ts';
import { resolveViaOta } from './ota-endpoint.ts';
import { ServerFeatures } from './server-features.ts';

export interface ActiveSessionDeps {
  readonly profile: ServerProfile;
  readonly profiles: ProfileStore;
  readonly identities: IdentityStore;
  readonly history: HistoryStore;
  readonly sink: AudioSink;
  readonly decoderFactory: ReplyDecoderFactory;
  readonly voice: VoiceOptions;
  readonly settings: () => Settings;
  readonly desktop: DesktopCapabilities;
  readonly consent: ConsentGate;
  readonly appVersion: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: AppEvent) => void;
  readonly notify: (title: string, body: string) => void;
  /** A token was stored (it may only be kept in memory: the core asks the user then). */
  readonly afterSecretWrite: () => void;
}

export class ActiveSession {
  readonly profile: ServerProfile;
  readonly #deps: ActiveSessionDeps;
  #session: Session | null = null;
  #features: ServerFeatures | null = null;
  #pending: Promise<Session> | null = null;
  #preState: ConnectionState = { kind: 'initial' };
  #abort = new AbortController();
  #closed = false;

  constructor(deps: ActiveSessionDeps) {
    this.#deps = deps;
    this.profile = deps.profile;
  }

  get session(): Session | null {
    return this.#session;
  }

  get connection(): ConnectionState {
    return this.#session?.connection.state ?? this.#preState;
  }

  /** The session, built on first use (resolving the endpoint through OTA if needed). */
  ensure(): Promise<Session> {
    if (this.#session) return Promise.resolve(this.#session);
    this.#pending ??= this.#build().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  /** Connect now (a user action); failures to resolve the endpoint show as `failed`. */
  connect(): void {
    this.ensure().then(
      (session) => session.connect(),
      () => undefined,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    await this.#features?.close();
    await this.#session?.close();
    this.#session = null;
  }

  async #build(): Promise<Session> {
    const { profile, profiles, identities, clock } = this.#deps;
    const identity = identities.ensure(profile.id);
    let url: string;
    let token: string | null;
    let protocolVersion: 1 | 2 | 3 = 1;
    if (profile.endpoint.kind === 'websocket') {
      url = profile.endpoint.url;
      token = profiles.token(profile.id);
    } else {
      this.#setPreState({ kind: 'connecting', attempt: 1, url: profile.endpoint.url });
      try {
        const endpoint = await this.#viaOta(profile.endpoint.url);
        ({ url, token, protocolVersion } = endpoint);
      } catch (error) {
        this.#setPreState({
          kind: 'failed',
          cause: otaProblem(error, profile.endpoint.url),
          gaveUpAfter: null,
        });
        throw error;
      }
    }
    if (this.#closed) throw new Error('The profile was switched.');

    let ca: string | null = null;
    if (profile.caFile) {
      try {
        ca = readFileSync(profile.caFile, 'utf8');
      } catch (error) {
        const cause: Problem = {
          code: 'caFileUnreadable',
          path: profile.caFile,
          detail: errorDetail(error),
        };
        this.#setPreState({ kind: 'failed', cause, gaveUpAfter: null });
        throw new ProblemError(cause, { cause: error });
      }
    }

    const features = new ServerFeatures({
      desktop: this.#deps.desktop,
      consent: this.#deps.consent,
      clock,
      appVersion: this.#deps.appVersion,
      appHeartbeat: profile.appHeartbeat,
      onTaskUpdated: (task) => this.#deps.emit({ type: 'taskUpdated', task }),
      onTaskFinished: (task) =>
        this.#deps.notify(
          task.title,
          task.state === 'completed' ? 'Done' : (task.message ?? 'Failed'),
        ),
      onPushedMessage: (message) => this.#deps.notify('Lumi', message.text),
    });
    const dialect = dialectSetup(profile.dialect, identity.deviceId, clock);
    const history = this.#deps.history;
    const session = createSession({
      url,
      token,
      deviceId: identity.deviceId,
      clientId: identity.clientId,
      ca,
      frameDuration: this.#deps.settings().frameDurationMs,
      sink: this.#deps.sink,
      decoderFactory: this.#deps.decoderFactory,
      mode: this.#deps.settings().mode,
      voice: this.#deps.voice,
      clock,
      onServerMessage: (message) => features.handle(message),
      newConversationId: () => history.startConversation(profile.id, clock.now()),
      connection: { protocolVersion, ...dialect.connection },
      ...(dialect.textMessage ? { textMessage: dialect.textMessage } : {}),
      ...(profile.endpoint.kind === 'ota'
        ? { refreshToken: () => this.#refreshToken(profile.endpoint.url) }
        : {}),
    });
    features.attach(session);
    this.#features = features;
    this.#session = session;
    return session;
  }

  async #viaOta(
    otaUrl: string,
  ): Promise<{ url: string; token: string | null; protocolVersion: 1 | 2 | 3 }> {
    const { profile, profiles, identities } = this.#deps;
    const endpoint = await resolveViaOta({
      otaUrl,
      identity: identities.ensure(profile.id),
      deviceKey: () => identities.deviceKey(profile.id),
      appVersion: this.#deps.appVersion,
      clock: this.#deps.clock,
      signal: this.#abort.signal,
      onActivationRequired: (prompt) => {
        profiles.setActivation(profile.id, 'pending');
        this.#deps.emit({ type: 'profilesChanged', profiles: profiles.list() });
        this.#deps.emit({
          type: 'activationRequired',
          code: prompt.code,
          message: prompt.message,
          consoleUrl: prompt.consoleUrl,
        });
        this.#deps.notify(
          'Lumi: activation code',
          `${prompt.code} — ${prompt.consoleUrl ?? prompt.message}`,
        );
      },
      onActivated: () => {
        profiles.setActivation(profile.id, 'activated');
        this.#deps.emit({ type: 'profilesChanged', profiles: profiles.list() });
      },
    });
    profiles.setToken(profile.id, endpoint.token);
    if (endpoint.token) this.#deps.afterSecretWrite();
    return endpoint;
  }

  async #refreshToken(otaUrl: string): Promise<string | null> {
    try {
      const endpoint = await this.#viaOta(otaUrl);
      return endpoint.token;
    } catch (error) {
      throw new ProblemError(otaProblem(error, otaUrl), { cause: error });
    }
  }

  #setPreState(next: ConnectionState): void {
    const previous = this.#preState;
    this.#preState = next;
    this.#deps.emit({ type: 'connectionChanged', previous, next });
  }
}
