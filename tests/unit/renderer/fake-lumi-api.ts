/**
 * An in-memory `window.lumi` for the window's component tests: every method is a `vi.fn` that
 * answers like main would, events are pushed with `emit`, and history pages are cut from a
 * list of messages the way the history store pages them (newest first, `before` = an id).
 */
import { vi, type Mock } from 'vitest';
import type { ChatMessage } from '../../../shared/chat.ts';
import type {
  AppEvent,
  HistoryPage,
  LumiApi,
  SecretsExport,
  Snapshot,
} from '../../../shared/ipc.ts';
import { ok, type Result } from '../../../shared/result.ts';
import type { OutboxItem } from '../../../shared/session-events.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';

type Methods = Omit<LumiApi, 'onEvent'>;
export type MockedApi = LumiApi & { [K in keyof Methods]: Mock<Methods[K]> };

export interface FakeLumi {
  readonly api: MockedApi;
  /** Delivers an event to every subscriber, as main's event channel would. */
  emit(event: AppEvent): void;
  /** How many subscriptions are open (the meters subscribe only while shown). */
  listenerCount(): number;
}

export const NOW = Date.UTC(2026, 0, 15, 9, 30);

export function settingsFixture(overrides: Partial<Settings> = {}): Settings {
  return {
    activeProfileId: 'cloud',
    mode: 'manual',
    realtimeEnabled: false,
    cues: true,
    volume: 80,
    inputDevice: null,
    outputDevice: null,
    frameDurationMs: 60,
    idleHangupSeconds: 90,
    hotkeys: { toggleTalk: 'Alt+Shift+Space', holdToTalk: 'F9', doubleTapHandsFree: true },
    language: 'en',
    startAtLogin: false,
    notifications: true,
    historyRetentionDays: 30,
    keepPictureThumbnails: false,
    outboxMaxAgeMinutes: 10,
    toolConsent: { 'self.audio_speaker.set_volume': 'ask', 'self.screen.set_brightness': 'allow' },
    ...overrides,
  };
}

export function profileFixture(overrides: Partial<ServerProfile> = {}): ServerProfile {
  return {
    id: 'cloud',
    name: 'xiaozhi.me',
    endpoint: { kind: 'ota', url: 'https://api.tenclass.net/xiaozhi/ota/' },
    dialect: 'xiaozhi',
    appHeartbeat: false,
    caFile: null,
    hasToken: false,
    activation: 'activated',
    ...overrides,
  };
}

export function messageFixture(overrides: Partial<ChatMessage> & { id: string }): ChatMessage {
  return {
    conversationId: 'c1',
    role: 'assistant',
    text: '',
    emotion: null,
    status: 'done',
    createdAt: NOW,
    updatedAt: NOW,
    systemKind: null,
    timings: null,
    ...overrides,
  };
}

export function snapshotFixture(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    connection: { kind: 'ready', sessionId: 's1', serverVersion: '0.8.6', transport: 'websocket' },
    assistant: 'idle',
    mode: 'manual',
    settings: settingsFixture(),
    profiles: [profileFixture()],
    outbox: [],
    appVersion: '0.1.0',
    platform: 'linux',
    hotkeyProblems: [],
    holdToTalkAvailable: true,
    secretsConsent: null,
    ...overrides,
  };
}

/** The page of `history` (oldest first) that ends before the message `before`. */
function pageOf(
  history: readonly ChatMessage[],
  before: string | null,
  limit: number,
): HistoryPage {
  const end = before === null ? history.length : history.findIndex((m) => m.id === before);
  const start = Math.max(0, end - limit);
  const messages = history.slice(start, end);
  return { messages, nextBefore: start > 0 ? (messages[0]?.id ?? null) : null };
}

/**
 * @param options.snapshot what `ready()` answers
 * @param options.history every stored message, oldest first
 */
export function createFakeLumi(
  options: { snapshot?: Snapshot; history?: readonly ChatMessage[] } = {},
): FakeLumi {
  const snapshot = options.snapshot ?? snapshotFixture();
  const history = options.history ?? [];
  const listeners = new Set<(event: AppEvent) => void>();
  let settings = snapshot.settings;
  let outboxIds = 0;

  const api: MockedApi = {
    ready: vi.fn(async () => ok(snapshot)),
    sendText: vi.fn(async (text: string) => {
      outboxIds += 1;
      const item: OutboxItem = {
        id: `out-${outboxIds}`,
        text,
        status: 'queued',
        createdAt: NOW,
        error: null,
      };
      return ok(item);
    }),
    retrySend: vi.fn(async (id: string) =>
      ok({ id, text: '', status: 'sending' as const, createdAt: NOW, error: null }),
    ),
    cancelSend: vi.fn(async (id: string) =>
      ok({ id, text: '', status: 'cancelled' as const, createdAt: NOW, error: null }),
    ),
    editSend: vi.fn(async (id: string, text: string) =>
      ok({ id, text, status: 'queued' as const, createdAt: NOW, error: null }),
    ),
    startTalking: vi.fn(async () => ok(undefined)),
    stopTalking: vi.fn(async () => ok(undefined)),
    abort: vi.fn(async () => ok(undefined)),
    setMode: vi.fn(async () => ok(undefined)),
    connect: vi.fn(async () => ok(undefined)),
    disconnect: vi.fn(async () => ok(undefined)),
    retry: vi.fn(async () => ok(undefined)),
    getSettings: vi.fn(async () => ok(settings)),
    updateSettings: vi.fn(async (patch: Partial<Settings>) => {
      settings = { ...settings, ...patch };
      return ok(settings);
    }),
    listProfiles: vi.fn(async () => ok(snapshot.profiles)),
    saveProfile: vi.fn(async (profile: ServerProfile) => ok(profile)),
    activateProfile: vi.fn(async () => ok(undefined)),
    removeProfile: vi.fn(async () => ok(undefined)),
    exportProfiles: vi.fn(async () => ok(JSON.stringify({ format: 'lumi-profiles' }))),
    exportSecrets: vi.fn(async (): Promise<Result<SecretsExport>> =>
      ok({ saved: true, path: '/home/me/lumi-servers-with-secrets.json' }),
    ),
    importProfiles: vi.fn(async () => ok([profileFixture()])),
    allowStoringSecrets: vi.fn(async () => ok(undefined)),
    runDoctor: vi.fn(async () => ok([])),
    listDevices: vi.fn(async () => ok([])),
    testTone: vi.fn(async () => ok(undefined)),
    historyPage: vi.fn(async (before: string | null, limit: number) =>
      ok(pageOf(history, before, limit)),
    ),
    searchHistory: vi.fn(async () => ok([])),
    answerTool: vi.fn(async () => ok(undefined)),
    setToolConsent: vi.fn(async () => ok(undefined)),
    openLink: vi.fn(async () => ok(undefined)),
    hideWindow: vi.fn(async () => ok(undefined)),
    setPinned: vi.fn(async () => ok(undefined)),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };

  return {
    api,
    emit(event) {
      for (const listener of [...listeners]) listener(event);
    },
    listenerCount: () => listeners.size,
  };
}
