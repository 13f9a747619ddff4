/**
 * The session of the active server profile: resolves its endpoint (directly, or through OTA
 * with activation), builds the Session with the profile's dialect, device tools and server
 * events, and reports the connection state even before a socket exists (during OTA).
 */
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import { ProblemError, problemOf } from '../../../shared/problem-english.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import type { AudioSink } from '../audio/sink.ts';
import type { Logger } from '../log/logger.ts';
import { CAMERA_TOOL } from '../mcp/camera-tool.ts';
import type { ConsentGate } from '../mcp/consent.ts';
import type { DesktopCapabilities } from '../mcp/capabilities.ts';
import type { ReplyDecoderFactory } from '../session/ports.ts';
import { transportOptions } from './transport-setup.ts';
import type { OutboxSetup, Session } from '../session/session.ts';
import type { VoiceOptions } from '../session/voice-turns.ts';
import type { HistoryStore } from '../store/history.ts';
import type { IdentityStore } from '../store/identity.ts';
import type { OutboxStore } from '../store/outbox-store.ts';
import type { ProfileStore } from '../store/profiles.ts';
import { MINUTE, type Clock } from '../util/clock.ts';
import { otaProblem } from '../ota/ota-problem.ts';
import { dialectSetup } from './dialect.ts';
import {
  resolveEndpoint,
  type EndpointDeps,
  type EndpointSource,
  type SessionEndpoint,
} from './endpoint.ts';
import type { Words } from './notifications.ts';
import { ServerFeatures } from './server-features.ts';

export interface ActiveSessionDeps {
  readonly profile: ServerProfile;
  readonly profiles: ProfileStore;
  readonly identities: IdentityStore;
  readonly history: HistoryStore;
  /** Typed messages kept across restarts, per profile. */
  readonly outbox: OutboxStore;
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
  /** Lumi's words in the user's language, for the notifications above. */
  readonly words: Words;
  /** A token was stored (it may only be kept in memory: the core asks the user then). */
  readonly afterSecretWrite: () => void;
}

export class ActiveSession {
  readonly profile: ServerProfile;
  readonly #deps: ActiveSessionDeps;
  #session: Session | null = null;
  #serverFeatures: ServerFeatures | null = null;
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
    await this.#serverFeatures?.close();
    await this.#session?.close();
    this.#session = null;
  }

  async #build(): Promise<Session> {
    const { profile, clock } = this.#deps;
    if (profile.endpoint.kind === 'ota') {
      this.#setPreState({ kind: 'connecting', attempt: 1, url: profile.endpoint.url });
    }
    let endpoint: SessionEndpoint;
    try {
      endpoint = await resolveEndpoint(this.#source(), this.#endpointDeps());
    } catch (error) {
      const cause =
        error instanceof ProblemError || profile.endpoint.kind !== 'ota'
          ? problemOf(error)
          : otaProblem(error, profile.endpoint.url);
      this.#setPreState({ kind: 'failed', cause, gaveUpAfter: null, retryAt: null });
      throw error;
    }
    // Loaded on the first connect, not at start: the connection brings `ws`, and with it Node's
    // http/https/tls, ~20 ms of the core's start (bench core.boot) for a window that may never connect.
    const { createSession } = await import('./create-session.ts');
    const transport = await transportOptions(endpoint, clock);
    if (this.#closed) throw new Error('The profile was switched.');
    const features = this.#features(profile);
    const identity = this.#deps.identities.ensure(profile.id);
    const dialect = dialectSetup(profile.dialect, identity.deviceId, clock);
    const history = this.#deps.history;
    const session = createSession({
      url: endpoint.url,
      token: endpoint.token,
      deviceId: identity.deviceId,
      clientId: identity.clientId,
      ca: endpoint.ca,
      frameDuration: this.#deps.settings().frameDurationMs,
      sink: this.#deps.sink,
      decoderFactory: this.#deps.decoderFactory,
      mode: this.#deps.settings().mode,
      voice: this.#deps.voice,
      clock,
      onServerMessage: (message) => features.handle(message),
      newConversationId: () => history.startConversation(profile.id, clock.now()),
      connection: {
        protocolVersion: endpoint.protocolVersion,
        ...dialect.connection,
        ...transport,
      },
      ...(dialect.textMessage ? { textMessage: dialect.textMessage } : {}),
      ...(endpoint.refreshToken ? { refreshToken: endpoint.refreshToken } : {}),
      outbox: this.#outboxSetup(),
    });
    features.attach(session);
    this.#serverFeatures = features;
    this.#session = session;
    return session;
  }

  /** The profile's messages left by an earlier run, and where this one keeps them. */
  #outboxSetup(): OutboxSetup {
    const { profile, outbox, logger } = this.#deps;
    return {
      restored: outbox.load(profile.id),
      maxAgeMs: this.#deps.settings().outboxMaxAgeMinutes * MINUTE,
      persist: (unsettled) => {
        try {
          outbox.save(profile.id, unsettled);
        } catch (error) {
          // Lumi still talks; only a restart would lose the waiting messages.
          logger.error('outbox not saved', { error: String(error) });
        }
      },
    };
  }

  #source(): EndpointSource {
    const { profile, profiles } = this.#deps;
    return profile.endpoint.kind === 'websocket'
      ? { kind: 'websocket', url: profile.endpoint.url, token: profiles.token(profile.id) }
      : { kind: 'ota', url: profile.endpoint.url };
  }

  /** OTA's side effects for this profile: activation shown and remembered, the token stored. */
  #endpointDeps(): EndpointDeps {
    const { profile, profiles, identities } = this.#deps;
    const changed = (): void =>
      this.#deps.emit({ type: 'profilesChanged', profiles: profiles.list() });
    return {
      identity: identities.ensure(profile.id),
      deviceKey: () => identities.deviceKey(profile.id),
      appVersion: this.#deps.appVersion,
      caFile: profile.caFile,
      allowInsecureWebSocket: profile.allowInsecureWebSocket ?? false,
      transport: profile.transport ?? 'auto',
      clock: this.#deps.clock,
      signal: this.#abort.signal,
      storeToken: (token) => {
        profiles.setToken(profile.id, token);
        if (token) this.#deps.afterSecretWrite();
      },
      mqttCredentials: {
        load: () => profiles.mqttCredentials(profile.id),
        save: (stored) => {
          if (profiles.setMqttCredentials(profile.id, stored)) this.#deps.afterSecretWrite();
        },
        token: () => profiles.token(profile.id),
      },
      onActivationRequired: (prompt) => {
        profiles.setActivation(profile.id, 'pending');
        changed();
        this.#deps.emit({
          type: 'activationRequired',
          code: prompt.code,
          message: prompt.message,
          consoleUrl: prompt.consoleUrl,
        });
        this.#deps.notify(
          this.#deps.words('os.activationTitle'),
          `${prompt.code} — ${prompt.consoleUrl ?? prompt.message}`,
        );
      },
      onActivated: () => {
        profiles.setActivation(profile.id, 'activated');
        changed();
      },
    };
  }

  #features(profile: ServerProfile): ServerFeatures {
    return new ServerFeatures({
      desktop: this.#deps.desktop,
      consent: this.#deps.consent,
      clock: this.#deps.clock,
      appVersion: this.#deps.appVersion,
      appHeartbeat: profile.appHeartbeat,
      onTaskUpdated: (task) => this.#deps.emit({ type: 'taskUpdated', task }),
      onTaskFinished: (task) =>
        this.#deps.notify(
          task.title,
          task.state === 'completed'
            ? this.#deps.words('task.completed')
            : (task.message ?? this.#deps.words('task.failed')),
        ),
      onPushedMessage: (message) => this.#deps.notify('Lumi', message.text),
      // Every picture that leaves is announced, "Always allow" or not: in the conversation
      // (its line and thumbnail) and, with the window hidden, here.
      onToolCall: (record) => {
        if (record.ok && record.preview) {
          const { words } = this.#deps;
          const title = record.name === CAMERA_TOOL ? 'os.photoSentTitle' : 'os.screenSentTitle';
          this.#deps.notify(
            words(title),
            words('os.screenSent', { host: record.preview.destination }),
          );
        }
      },
    });
  }

  #setPreState(next: ConnectionState): void {
    const previous = this.#preState;
    this.#preState = next;
    this.#deps.emit({ type: 'connectionChanged', previous, next });
  }
}
