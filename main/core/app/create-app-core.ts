/**
 * The app core behind the window: settings, profiles, secrets, history, audio devices, the
 * device tools and the active profile's session (held by the SessionHost), exposed as one
 * handler table, merged from a module per area (handlers/), plus one event stream. The Electron
 * main, the browser preview and the tests all wire exactly this.
 */
import { join } from 'node:path';
import { resolveLocale, translate } from '../../../renderer/src/i18n/translate.ts';
import type { AppEvent, Snapshot } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Settings } from '../../../shared/settings.ts';
import { CuePlayer } from '../audio/cues.ts';
import { MicrophoneCapture } from '../audio/microphone.ts';
import { ReplyDecoder } from '../audio/opus-codec.ts';
import { SpeakerSink } from '../audio/speaker-sink.ts';
import { createLogger, type Logger } from '../log/logger.ts';
import type { AppControls, DesktopCapabilities } from '../mcp/capabilities.ts';
import { ConsentGate } from '../mcp/consent.ts';
import type { VoiceOptions } from '../session/voice-turns.ts';
import type { HistoryStore } from '../store/history.ts';
import { recordHistory } from '../store/history-recorder.ts';
import { openHistory } from '../store/history-open.ts';
import { IdentityStore } from '../store/identity.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import { ProfileStore } from '../store/profiles.ts';
import { ensurePrivateDir } from '../store/safe-file.ts';
import { SecretStore, type SecretCipher } from '../store/secrets.ts';
import { openSettings, type OpenedSettings } from '../store/settings.ts';
import { type Clock, MINUTE, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { ActiveSession } from './active-session.ts';
import { appControlsFor } from './app-controls.ts';
import type { AppCore, AppHandlers } from './handlers.ts';
import { appHandlers } from './handlers/app.ts';
import { deviceHandlers } from './handlers/devices.ts';
import { historyHandlers } from './handlers/history.ts';
import { profileHandlers } from './handlers/profiles.ts';
import { sessionHandlers } from './handlers/session.ts';
import { settingsArea } from './handlers/settings.ts';
import { toolHandlers } from './handlers/tools.ts';
import { AppNotifications, limitToolNotifications, type Words } from './notifications.ts';
import { SecretsConsent } from './secrets-consent.ts';
import { SessionHost } from './session-host.ts';
import { ToolPrompts } from './tool-prompts.ts';

export interface AppCoreDeps {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly platform: NodeJS.Platform;
  /** Electron's safeStorage adapted; null where there is none (the browser preview). */
  readonly secretCipher: SecretCipher | null;
  /** Keep secrets in a 0600 file without asking (the CLI and the browser preview). */
  readonly plaintextSecrets?: boolean;
  /**
   * The desktop the device tools see, built around the app's own controls (volume, mode,
   * status: `appControlsFor` this core).
   */
  readonly desktop: (app: AppControls) => DesktopCapabilities;
  isWindowVisible(): boolean;
  /** Shows a notification; the core decides when (notifications.ts). */
  notify(title: string, body: string): void;
  /**
   * The system's language tag (Electron's `app.getLocale()`), for the `system` language setting
   * of what main shows itself; English when absent.
   */
  readonly systemLanguage?: string;
  /**
   * Where an export with secrets is written: Electron asks with a save dialog, the preview's host
   * picks its data folder. Null when the user cancels. The core writes the file (0600).
   * `title` is the dialog's, in the user's language.
   */
  chooseExportFile(suggestedName: string, title: string): Promise<string | null>;
  readonly holdToTalkAvailable: boolean;
  hotkeyProblems(): readonly Problem[];
  /** Make a profile for this WebSocket URL the active one (the preview's --url). */
  readonly webSocketUrl?: string;
  readonly clock?: Clock;
}

export interface LumiCore extends AppCore {
  /** Resume from sleep, unlock, network back: reconnect now instead of after the backoff. */
  nudge(): void;
  /** What `app:ready` answers, without its side effects. */
  snapshot(): Snapshot;
}

export const HISTORY_FILE = 'history.sqlite';
export const PREVIEW_PROFILE_ID = 'preview';

/** The stores, opened from the data folder. */
interface Stores {
  readonly opened: OpenedSettings;
  readonly settings: () => Settings;
  readonly secrets: SecretStore;
  readonly identities: IdentityStore;
  readonly profiles: ProfileStore;
  readonly history: HistoryStore;
  /** Why the history was moved aside or is not kept, told once per window load. */
  readonly historyProblem: Problem | null;
  readonly outbox: OutboxStore;
}

/** The speaker, the cues and what a spoken turn needs. */
interface Audio {
  readonly speaker: SpeakerSink;
  readonly cues: CuePlayer;
  readonly voice: VoiceOptions;
}

/** Everything the session host and the handlers are built from. */
interface Parts {
  readonly deps: AppCoreDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (event: AppEvent) => void;
  readonly stores: Stores;
  readonly audio: Audio;
  readonly notifications: AppNotifications;
  /** Lumi's words in the user's language, for what main shows itself (notifications). */
  readonly words: Words;
  readonly prompts: ToolPrompts;
  readonly secretsConsent: SecretsConsent;
  /** The desktop, which exists once the core does (it needs the core's controls). */
  readonly desktop: () => DesktopCapabilities;
}

/** Build the core (it does not connect until asked). */
export async function createAppCore(deps: AppCoreDeps): Promise<LumiCore> {
  const clock = deps.clock ?? systemClock;
  ensurePrivateDir(deps.dataDir);
  const logger = createLogger({ dir: join(deps.dataDir, 'logs') });
  const events = new Emitter<{ event: (event: AppEvent) => void }>();
  const emit = (event: AppEvent): void => events.emit('event', event);
  const stores = openStores(deps, clock);
  const words: Words = (key, params) =>
    translate(resolveLocale(stores.settings().language, deps.systemLanguage ?? 'en'), key, params);
  const notifications = new AppNotifications({
    notify: deps.notify,
    isWindowVisible: deps.isWindowVisible,
    enabled: () => stores.settings().notifications,
    words,
    clock,
  });
  let desktop: DesktopCapabilities | null = null;
  const parts: Parts = {
    deps,
    clock,
    logger,
    emit,
    stores,
    audio: openAudio(stores.settings, clock, emit),
    notifications,
    words,
    prompts: new ToolPrompts(emit, (prompt) => notifications.toolPrompted(prompt)),
    secretsConsent: new SecretsConsent(stores.secrets, emit),
    desktop: () => {
      if (desktop === null) throw new Error('the desktop is not attached yet');
      return desktop;
    },
  };
  const host = sessionHostFor(parts);
  const snapshot = (): Snapshot => snapshotOf(parts, host);
  const core: LumiCore = {
    handlers: handlerTable(parts, host, snapshot),
    onEvent: (listener) => events.on('event', listener),
    nudge: () => host.session?.connection.nudge(),
    snapshot,
    async close() {
      await host.close();
      await parts.audio.speaker.close();
      notifications.close();
      stores.history.close();
      logger.close();
    },
  };
  desktop = limitToolNotifications(deps.desktop(appControlsFor(core)), notifications.rate);
  deliverLeftovers(parts, host);
  return core;
}

/**
 * Typed messages an earlier run left waiting go into the active profile's session now (fresh
 * ones are sent, old ones show as expired). Not awaited: the endpoint may need OTA first.
 */
function deliverLeftovers(parts: Parts, host: SessionHost): void {
  const { stores, logger } = parts;
  if (stores.outbox.load(stores.profiles.active().id).length === 0) return;
  host.ensure().then(
    (session) => session.deliverRestored(),
    (error: unknown) => logger.error('queued messages not restored', { error: String(error) }),
  );
}

function openStores(deps: AppCoreDeps, clock: Clock): Stores {
  const opened = openSettings({ cwd: deps.dataDir, clock });
  const secrets = new SecretStore({
    dir: deps.dataDir,
    cipher: deps.secretCipher,
    plaintextAllowed: deps.plaintextSecrets ?? false,
    clock,
  });
  const identities = new IdentityStore({ dir: deps.dataDir, secrets, clock });
  const profiles = new ProfileStore({ settings: opened.store, secrets, identities });
  const history = openHistory(join(deps.dataDir, HISTORY_FILE), clock);
  const outbox = new OutboxStore({ dir: deps.dataDir, clock });
  if (deps.webSocketUrl) {
    profiles.save({
      id: PREVIEW_PROFILE_ID,
      name: 'Preview',
      endpoint: { kind: 'websocket', url: deps.webSocketUrl },
      dialect: 'xiaozhi',
      appHeartbeat: false,
      caFile: null,
      hasToken: false,
      activation: 'none',
    });
    profiles.activate(PREVIEW_PROFILE_ID);
  }
  const settings = () => opened.store.settings();
  return {
    opened,
    settings,
    secrets,
    identities,
    profiles,
    history: history.store,
    historyProblem: history.problem,
    outbox,
  };
}

function openAudio(settings: () => Settings, clock: Clock, emit: (event: AppEvent) => void): Audio {
  const initial = settings();
  const speaker = new SpeakerSink({
    deviceName: initial.outputDevice,
    volume: initial.volume,
    clock,
  });
  speaker.on('jitterStats', (stats) => emit({ type: 'jitterStats', stats }));
  speaker.on('error', (problem) => emit({ type: 'deviceError', direction: 'output', problem }));
  const cues = new CuePlayer(speaker, initial.cues);
  const voice: VoiceOptions = {
    sourceFactory: () =>
      new MicrophoneCapture({
        deviceName: settings().inputDevice,
        frameDurationMs: settings().frameDurationMs,
        clock,
      }),
    cues,
    idleHangupMs: initial.idleHangupSeconds * 1000,
    get realtimeEnabled() {
      return settings().realtimeEnabled;
    },
  };
  return { speaker, cues, voice };
}

/**
 * The host of the active profile's session. Each session, when built, is subscribed here: its
 * messages go to the history, its news to the notifications, every event to the window.
 */
function sessionHostFor(parts: Parts): SessionHost {
  const { stores, audio, clock, logger, emit, notifications } = parts;
  const consent = new ConsentGate({
    chosen: (tool) => stores.settings().toolConsent[tool],
    prompt: parts.prompts.prompt,
    clock,
  });
  return new SessionHost({
    open: () =>
      new ActiveSession({
        profile: stores.profiles.active(),
        profiles: stores.profiles,
        identities: stores.identities,
        history: stores.history,
        outbox: stores.outbox,
        sink: audio.speaker,
        decoderFactory: (rate) => new ReplyDecoder(rate),
        voice: audio.voice,
        settings: stores.settings,
        desktop: parts.desktop(),
        consent,
        appVersion: parts.deps.appVersion,
        clock,
        logger,
        emit,
        notify: (title, body) => notifications.show('session', title, body),
        words: parts.words,
        afterSecretWrite: () => parts.secretsConsent.afterSecretWrite(),
      }),
    subscribe: (session) => {
      const stopRecording = recordHistory(
        session,
        stores.history,
        (error) => logger.error('history write failed', { error: String(error) }),
        () => stores.settings().keepPictureThumbnails,
      );
      const stopForwarding = session.onEvent((event) => {
        notifications.observe(event);
        emit(event);
      });
      return () => {
        stopRecording();
        stopForwarding();
      };
    },
    emit,
    profiles: () => stores.profiles.list(),
  });
}

/** One table of every app channel, merged from the areas' modules. */
function handlerTable(parts: Parts, host: SessionHost, snapshot: () => Snapshot): AppHandlers {
  const { stores, audio, clock, emit, deps } = parts;
  const settings = settingsArea({
    store: stores.opened.store,
    apply: (before, after) => {
      if (after.volume !== before.volume) audio.speaker.setVolume(after.volume);
      if (after.outputDevice !== before.outputDevice) audio.speaker.setDevice(after.outputDevice);
      if (after.cues !== before.cues) audio.cues.setEnabled(after.cues);
      if (after.mode !== before.mode) host.session?.setMode(after.mode);
      if (after.outboxMaxAgeMinutes !== before.outboxMaxAgeMinutes) {
        host.session?.setOutboxMaxAge(after.outboxMaxAgeMinutes * MINUTE);
      }
      if (
        after.historyRetentionDays !== before.historyRetentionDays &&
        after.historyRetentionDays
      ) {
        stores.history.applyRetention(after.historyRetentionDays, clock.now());
      }
      emit({ type: 'settingsChanged', settings: after });
    },
  });
  return {
    ...appHandlers({
      snapshot,
      startupProblems: () => startupProblems(stores),
      prompts: parts.prompts,
      desktop: parts.desktop,
      emit,
    }),
    ...sessionHandlers({ host, rememberMode: (mode) => stores.opened.store.update({ mode }) }),
    ...settings.handlers,
    ...profileHandlers({
      ...stores,
      secretsConsent: parts.secretsConsent,
      host,
      emit,
      clock,
      appVersion: deps.appVersion,
      chooseExportFile: (name) => deps.chooseExportFile(name, parts.words('os.exportTitle')),
    }),
    ...historyHandlers(stores.history, stores.profiles),
    ...toolHandlers({
      prompts: parts.prompts,
      settings: stores.settings,
      updateSettings: settings.update,
    }),
    ...deviceHandlers(audio.speaker),
  };
}

function snapshotOf(parts: Parts, host: SessionHost): Snapshot {
  const { stores, deps } = parts;
  return {
    connection: host.connection,
    assistant: host.session?.assistant ?? 'idle',
    mode: host.session?.mode ?? stores.settings().mode,
    settings: stores.settings(),
    profiles: stores.profiles.list(),
    outbox: host.session?.outbox() ?? [],
    appVersion: deps.appVersion,
    platform: deps.platform,
    hotkeyProblems: deps.hotkeyProblems(),
    holdToTalkAvailable: deps.holdToTalkAvailable,
    secretsConsent: parts.secretsConsent.reason(),
  };
}

/** What went wrong opening the stores, told to every window that loads. */
function startupProblems(stores: Stores): AppEvent[] {
  const problems: AppEvent[] = [];
  const { recovery } = stores.opened;
  if (recovery.recovered) {
    problems.push({
      type: 'errorOccurred',
      problem: { code: 'settingsRecovered', movedTo: recovery.movedTo },
    });
  }
  const { secrets, identities, historyProblem } = stores;
  if (secrets.recovery.recovered) {
    problems.push({
      type: 'errorOccurred',
      problem: { code: 'secretsRecovered', movedTo: secrets.recovery.movedTo },
    });
  }
  if (identities.recovery.recovered) {
    problems.push({
      type: 'errorOccurred',
      problem: { code: 'identitiesRecovered', movedTo: identities.recovery.movedTo },
    });
  }
  if (historyProblem !== null) problems.push({ type: 'errorOccurred', problem: historyProblem });
  for (const problem of secrets.problems()) {
    problems.push({ type: 'errorOccurred', problem });
  }
  return problems;
}
