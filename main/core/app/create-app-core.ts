/**
 * The app core behind the window: settings, profiles, secrets, history, audio devices, the
 * device tools and the active profile's session, exposed as one handler per IPC channel plus
 * one event stream. The Electron main and the browser preview both wire exactly this.
 */
import { join } from 'node:path';
import type { AppEvent, Snapshot } from '../../../shared/ipc.ts';
import type { Settings } from '../../../shared/settings.ts';
import { CuePlayer, testTone } from '../audio/cues.ts';
import { listAudioDevices } from '../audio/devices.ts';
import { MicrophoneCapture } from '../audio/microphone.ts';
import { ReplyDecoder } from '../audio/opus-codec.ts';
import { SpeakerSink } from '../audio/speaker-sink.ts';
import { createLogger } from '../log/logger.ts';
import type { DesktopCapabilities } from '../mcp/capabilities.ts';
import { ConsentGate } from '../mcp/consent.ts';
import { checkOpenableUrl } from '../mcp/desktop-tools.ts';
import { runDoctor } from '../ota/doctor.ts';
import type { VoiceOptions } from '../session/voice-turns.ts';
import { HistoryStore } from '../store/history.ts';
import { IdentityStore } from '../store/identity.ts';
import { ProfileStore } from '../store/profiles.ts';
import { SecretStore, type SecretCipher } from '../store/secrets.ts';
import { exportProfiles, importProfiles } from '../store/profile-transfer.ts';
import { openSettings } from '../store/settings.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { ActiveSession } from './active-session.ts';
import { HandlerError, type AppCore, type IpcHandlers } from './handlers.ts';
import { ToolPrompts } from './tool-prompts.ts';

export interface AppCoreDeps {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly platform: NodeJS.Platform;
  /** Electron's safeStorage adapted; null where there is none (the browser preview). */
  readonly secretCipher: SecretCipher | null;
  /** Keep secrets in a 0600 file without asking (the CLI and the browser preview). */
  readonly plaintextSecrets?: boolean;
  readonly desktop: DesktopCapabilities;
  isWindowVisible(): boolean;
  notify(title: string, body: string): void;
  readonly holdToTalkAvailable: boolean;
  hotkeyProblems(): readonly string[];
  /** Make a profile for this WebSocket URL the active one (the preview's --url). */
  readonly webSocketUrl?: string;
  readonly clock?: Clock;
}

export interface LumiCore extends AppCore {
  /** Resume from sleep, unlock, network back: reconnect now instead of after the backoff. */
  nudge(): void;
}

export const HISTORY_FILE = 'history.sqlite';
export const PREVIEW_PROFILE_ID = 'preview';
/** A reply longer than this is cut in the notification. */
const NOTIFICATION_TEXT_LIMIT = 200;

/** Build the core (it does not connect until asked). */
export async function createAppCore(deps: AppCoreDeps): Promise<LumiCore> {
  const clock = deps.clock ?? systemClock;
  const logger = createLogger({ dir: join(deps.dataDir, 'logs') });
  const events = new Emitter<{ event: (event: AppEvent) => void }>();
  const emit = (event: AppEvent): void => events.emit('event', event);

  const opened = openSettings({ cwd: deps.dataDir, clock });
  const settingsStore = opened.store;
  const secrets = new SecretStore({
    dir: deps.dataDir,
    cipher: deps.secretCipher,
    plaintextAllowed: deps.plaintextSecrets ?? false,
    clock,
  });
  const identities = new IdentityStore({ dir: deps.dataDir, secrets, clock });
  const profiles = new ProfileStore({ settings: settingsStore, secrets, identities });
  const history = new HistoryStore(join(deps.dataDir, HISTORY_FILE), clock);
  const transfer = { profiles, identities, secrets };
  const settings = (): Settings => settingsStore.settings();
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

  const initial = settings();
  const speaker = new SpeakerSink({
    deviceName: initial.outputDevice,
    volume: initial.volume,
    clock,
  });
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
  speaker.on('jitterStats', (stats) => emit({ type: 'jitterStats', stats }));
  speaker.on('error', (problem) => emit({ type: 'deviceError', direction: 'output', problem }));

  const prompts = new ToolPrompts(emit, (prompt) => {
    if (!deps.isWindowVisible())
      deps.notify('Lumi asks', `Allow ${prompt.tool}? Open Lumi to answer.`);
  });
  const consent = new ConsentGate({
    chosen: (tool) => settings().toolConsent[tool],
    prompt: prompts.prompt,
    clock,
  });

  let active: ActiveSession | null = null;
  let detachSession: (() => void) | null = null;
  let lastReply = '';

  const openActive = (): ActiveSession => {
    const created = new ActiveSession({
      profile: profiles.active(),
      profiles,
      identities,
      history,
      sink: speaker,
      decoderFactory: (rate) => new ReplyDecoder(rate),
      voice,
      settings,
      desktop: deps.desktop,
      consent,
      appVersion: deps.appVersion,
      clock,
      logger,
      emit,
      notify: (title, body) => {
        if (settings().notifications && !deps.isWindowVisible()) deps.notify(title, body);
      },
      afterSecretWrite: () => afterSecretWrite(),
    });
    active = created;
    return created;
  };

  /** The active profile's session, built and subscribed on first use. */
  const session = async () => {
    const current = active ?? openActive();
    const built = await current.ensure();
    if (!detachSession && current === active) {
      detachSession = built.onEvent((event) => {
        if (event.type === 'messageUpserted') {
          try {
            history.upsert(event.message);
          } catch (error) {
            logger.error('history write failed', { error: String(error) });
          }
          if (event.message.role === 'assistant') lastReply = event.message.text;
        }
        if (event.type === 'turnEnded' && !event.aborted) notifyReply();
        // An alert is the server's way to say something went wrong: worth a notification.
        if (event.type === 'alertReceived' && settings().notifications) {
          deps.notify(event.status, event.message);
        }
        emit(event);
      });
    }
    return built;
  };

  const notifyReply = (): void => {
    if (!settings().notifications || deps.isWindowVisible() || !lastReply) return;
    const text =
      lastReply.length > NOTIFICATION_TEXT_LIMIT
        ? `${lastReply.slice(0, NOTIFICATION_TEXT_LIMIT)}…`
        : lastReply;
    deps.notify('Lumi', text);
  };

  const switchProfile = async (): Promise<void> => {
    const wasConnected = active?.connection.kind === 'ready';
    detachSession?.();
    detachSession = null;
    const previous = active;
    active = null;
    if (previous) {
      await previous.close();
      emit({ type: 'connectionChanged', previous: previous.connection, next: { kind: 'initial' } });
    }
    emit({ type: 'profilesChanged', profiles: profiles.list() });
    if (wasConnected) (await session()).connect();
  };

  const applySettings = (before: Settings, after: Settings): void => {
    if (after.volume !== before.volume) speaker.setVolume(after.volume);
    if (after.outputDevice !== before.outputDevice) speaker.setDevice(after.outputDevice);
    if (after.cues !== before.cues) cues.setEnabled(after.cues);
    if (after.mode !== before.mode) active?.session?.setMode(after.mode);
    if (after.historyRetentionDays !== before.historyRetentionDays && after.historyRetentionDays) {
      history.applyRetention(after.historyRetentionDays, clock.now());
    }
    emit({ type: 'settingsChanged', settings: after });
  };

  const snapshot = (): Snapshot => ({
    connection: active?.connection ?? { kind: 'initial' },
    assistant: active?.session?.assistant ?? 'idle',
    mode: active?.session?.mode ?? settings().mode,
    settings: settings(),
    profiles: profiles.list(),
    outbox: active?.session?.outbox() ?? [],
    appVersion: deps.appVersion,
    platform: deps.platform,
    hotkeyProblems: deps.hotkeyProblems(),
    holdToTalkAvailable: deps.holdToTalkAvailable,
    secretsConsent: consentMessage(),
  });

  /** The keystore warning while tokens can only live for this session, else null. */
  const consentMessage = (): string | null => {
    const persistence = secrets.persistence();
    return persistence.kind === 'needsConsent' ? persistence.message : null;
  };
  /** After a token was stored: warn (once per app run) if it could only be kept in memory. */
  let consentAsked = false;
  const afterSecretWrite = (): void => {
    const message = consentMessage();
    if (message === null || consentAsked) return;
    consentAsked = true;
    emit({ type: 'secretsConsentRequired', message });
  };

  const wrap = <T>(run: () => T): T => {
    try {
      return run();
    } catch (error) {
      if (error instanceof HandlerError) throw error;
      const code = (error as { code?: unknown }).code;
      throw new HandlerError(typeof code === 'string' ? code : 'invalid', (error as Error).message);
    }
  };

  const handlers: IpcHandlers = {
    'app:ready': () => {
      if (opened.recovery.recovered) {
        emit({
          type: 'errorOccurred',
          problem: { code: 'settingsRecovered', movedTo: opened.recovery.movedTo },
        });
      }
      for (const problem of secrets.problems()) emit({ type: 'errorOccurred', problem });
      for (const prompt of prompts.open()) emit({ type: 'toolPrompted', prompt });
      return snapshot();
    },
    'session:connect': async () => {
      (active ?? openActive()).connect();
      await session().catch(() => undefined);
    },
    'session:disconnect': () => {
      active?.session?.disconnect();
      return undefined;
    },
    'session:retry': async () => {
      const current = active ?? openActive();
      if (!current.session && current.connection.kind === 'failed') {
        await switchProfile();
      }
      (await session()).connection.retry();
    },
    'session:sendText': async ({ text }) => {
      const s = await session();
      return wrap(() => s.sendText(text));
    },
    'session:retrySend': async ({ id }) => {
      const s = await session();
      return wrap(() => s.retrySend(id));
    },
    'session:startTalking': async () => {
      (await session()).startTalking();
      return undefined;
    },
    'session:stopTalking': () => {
      active?.session?.stopTalking();
      return undefined;
    },
    'session:abort': () => {
      active?.session?.abort();
      return undefined;
    },
    'session:setMode': async ({ mode }) => {
      if (mode !== 'realtime') settingsStore.update({ mode });
      (await session()).setMode(mode);
    },
    'settings:get': () => settings(),
    'settings:update': ({ patch }) => {
      const before = settings();
      const after = wrap(() => settingsStore.update(patch));
      applySettings(before, after);
      return after;
    },
    'profiles:list': () => profiles.list(),
    'profiles:save': async ({ profile, token }) => {
      const saved = wrap(() => profiles.save(profile, token));
      if (token) afterSecretWrite();
      if (saved.id === active?.profile.id) await switchProfile();
      else emit({ type: 'profilesChanged', profiles: profiles.list() });
      return saved;
    },
    'profiles:activate': async ({ id }) => {
      wrap(() => profiles.activate(id));
      await switchProfile();
    },
    'profiles:remove': async ({ id }) => {
      const wasActive = active?.profile.id === id;
      wrap(() => profiles.remove(id));
      history.deleteProfile(id);
      if (wasActive) await switchProfile();
      else emit({ type: 'profilesChanged', profiles: profiles.list() });
    },
    'profiles:export': ({ includeSecrets }) =>
      exportProfiles(transfer, { includeSecrets, now: clock.now() }),
    'profiles:import': async ({ json }) => {
      wrap(() => importProfiles(transfer, json));
      const list = profiles.list();
      emit({ type: 'profilesChanged', profiles: list });
      return list;
    },
    'secrets:allowStoring': () => {
      secrets.consent();
      return undefined;
    },
    'doctor:run': () => {
      const profile = profiles.active();
      return runDoctor({
        profile,
        identity: identities.ensure(profile.id),
        token: profiles.token(profile.id),
        appVersion: deps.appVersion,
        clock,
      });
    },
    'devices:list': () => listAudioDevices(),
    'devices:testTone': () => {
      speaker.playClip(testTone(speaker.sampleRate));
      return undefined;
    },
    'history:page': ({ before, limit }) =>
      history.page({ profileId: profiles.active().id, before, limit }),
    'history:search': ({ query, limit }) => history.search(profiles.active().id, query, limit),
    'tools:answer': ({ id, allow }) => {
      prompts.answer(id, allow);
      return undefined;
    },
    'tools:setConsent': ({ tool, consent: choice }) => {
      const before = settings();
      const after = settingsStore.update({
        toolConsent: { ...before.toolConsent, [tool]: choice },
      });
      applySettings(before, after);
    },
    'links:open': async ({ url }) => {
      const checked = wrap(() => checkOpenableUrl(url));
      await deps.desktop.openExternal(checked.href);
    },
    // The Electron main answers these two itself; elsewhere there is no window to move.
    'window:hide': () => undefined,
    'window:setPinned': () => undefined,
  };

  return {
    handlers,
    onEvent: (listener) => events.on('event', listener),
    nudge: () => active?.session?.connection.nudge(),
    async close() {
      detachSession?.();
      await active?.close();
      await speaker.close();
      history.close();
      logger.close();
    },
  };
}
