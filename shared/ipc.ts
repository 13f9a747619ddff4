/**
 * The one IPC contract between main and the window: channel → request and response types, the
 * event channel, and `window.lumi` itself (`makeLumiApi`). Main's handlers, the Electron preload
 * and the browser preview's bridge are all typed from this file; the request schemas that check
 * payloads at main's edge live in main/core/app/ipc-requests.ts.
 */
import type { AssistantState, ListenMode } from './assistant.ts';
import type { ChatMessage } from './chat.ts';
import type { ConnectionState } from './connection-state.ts';
import type { DoctorNote, DoctorStepName } from './doctor-notes.ts';
import type { Result } from './result.ts';
import type { Problem } from './problems.ts';
import type { OutboxItem, SessionEvent } from './session-events.ts';
import type { AudioDevice, ServerProfile, Settings, ToolConsent } from './settings.ts';

/** Everything the window needs to draw itself after a (re)load. */
export interface Snapshot {
  readonly connection: ConnectionState;
  readonly assistant: AssistantState;
  readonly mode: ListenMode;
  readonly settings: Settings;
  readonly profiles: readonly ServerProfile[];
  readonly outbox: readonly OutboxItem[];
  readonly appVersion: string;
  readonly platform: string;
  /** Hotkey registration problems (e.g. a shortcut taken by another app), shown in settings. */
  readonly hotkeyProblems: readonly Problem[];
  /** Where real hold-to-talk cannot work (Wayland): the toggle fallback is in use. */
  readonly holdToTalkAvailable: boolean;
  /**
   * Set when tokens can only be kept for this session (no real keystore, e.g. Linux's
   * `basic_text`): why, for the warning the window shows before the user allows storing them.
   */
  readonly secretsConsent: SecretsConsentReason | null;
}

/** Why tokens can only be kept for this session: the keystore is plaintext underneath, or absent. */
export type SecretsConsentReason = 'plaintextBackend' | 'noEncryption';

export interface HistoryPage {
  readonly messages: readonly ChatMessage[];
  /** Pass back as `before` to load the page before this one; null at the start. */
  readonly nextBefore: string | null;
}

export interface DoctorStep {
  /** `broker` and `udp` replace `websocket` when the OTA answer leads to MQTT + UDP. */
  readonly name: DoctorStepName;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly ms: number;
  /** What the step saw, as data the window words (shared/doctor-notes.ts). */
  readonly detail: DoctorNote;
  /** A plain fix for the usual failures. */
  readonly fix: DoctorNote | null;
}

/** Where an export with secrets went; `saved: false` when the user cancelled the dialog. */
export type SecretsExport =
  { readonly saved: true; readonly path: string } | { readonly saved: false };

export interface ToolPrompt {
  readonly id: string;
  readonly tool: string;
  readonly summary: string;
  readonly expiresAt: number;
  /** What the call will send, shown before the user decides (the screen picture). */
  readonly preview?: ToolPromptPreview;
}

/** The data a call will send, as the prompt shows it. */
export interface ToolPromptPreview {
  /** A small `data:image/jpeg;base64,…` URL of exactly the picture that will be sent. */
  readonly thumbnail: string;
  /** The host it goes to. */
  readonly destination: string;
}

/** Request channels the app core serves: `[request, response]`. */
export interface AppRequests {
  'app:ready': [undefined, Snapshot];
  'session:connect': [undefined, undefined];
  'session:disconnect': [undefined, undefined];
  'session:retry': [undefined, undefined];
  'session:sendText': [{ text: string }, OutboxItem];
  'session:retrySend': [{ id: string }, OutboxItem];
  /** Take back a typed message that has not left (queued, failed or expired). */
  'session:cancelSend': [{ id: string }, OutboxItem];
  /** Rewrite a typed message that has not left; it keeps its place. */
  'session:editSend': [{ id: string; text: string }, OutboxItem];
  'session:startTalking': [undefined, undefined];
  'session:stopTalking': [undefined, undefined];
  'session:abort': [undefined, undefined];
  'session:setMode': [{ mode: ListenMode }, undefined];
  'settings:get': [undefined, Settings];
  'settings:update': [{ patch: Partial<Settings> }, Settings];
  'profiles:list': [undefined, readonly ServerProfile[]];
  'profiles:save': [{ profile: ServerProfile; token?: string | null }, ServerProfile];
  'profiles:activate': [{ id: string }, undefined];
  'profiles:remove': [{ id: string }, undefined];
  /** JSON of the profiles, without tokens, device keys and identities. */
  'profiles:export': [undefined, string];
  /**
   * The profiles with their tokens, device keys and identities, written by main to a file the
   * user picks (a save dialog; the preview's host picks its data folder). The secrets never
   * reach the window: it learns only where the file went.
   */
  'profiles:exportSecrets': [undefined, SecretsExport];
  'profiles:import': [{ json: string }, readonly ServerProfile[]];
  /** The user allows storing tokens despite the weak keystore (see Snapshot.secretsConsent). */
  'secrets:allowStoring': [undefined, undefined];
  'doctor:run': [undefined, readonly DoctorStep[]];
  'devices:list': [undefined, readonly AudioDevice[]];
  'devices:testTone': [undefined, undefined];
  'history:page': [{ before: string | null; limit: number }, HistoryPage];
  'history:search': [{ query: string; limit: number }, readonly ChatMessage[]];
  'tools:answer': [{ id: string; allow: boolean }, undefined];
  'tools:setConsent': [{ tool: string; consent: ToolConsent }, undefined];
  'links:open': [{ url: string }, undefined];
}

/**
 * Request channels about the window itself, served by whatever hosts it (the Electron main;
 * the browser preview, which has no window to move), never by the app core.
 */
export interface WindowRequests {
  'window:hide': [undefined, undefined];
  'window:setPinned': [{ pinned: boolean }, undefined];
}

export interface IpcRequests extends AppRequests, WindowRequests {}

export type IpcChannel = keyof IpcRequests;
export type AppChannel = keyof AppRequests;
export type WindowChannel = keyof WindowRequests;
export type IpcRequest<C extends IpcChannel> = IpcRequests[C][0];
export type IpcResponse<C extends IpcChannel> = Result<IpcRequests[C][1]>;

/** Events main pushes to the window: the session's events plus a few of the app's own. */
export type AppEvent =
  | SessionEvent
  | { readonly type: 'settingsChanged'; readonly settings: Settings }
  | { readonly type: 'profilesChanged'; readonly profiles: readonly ServerProfile[] }
  | { readonly type: 'toolPrompted'; readonly prompt: ToolPrompt }
  | { readonly type: 'toolPromptClosed'; readonly id: string }
  | {
      readonly type: 'activationRequired';
      readonly code: string;
      readonly message: string;
      readonly consoleUrl: string | null;
    }
  | { readonly type: 'taskUpdated'; readonly task: TaskRow }
  | { readonly type: 'hotkeyPressed'; readonly action: 'talkDown' | 'talkUp' }
  /** A token is held for this session only; show the warning and offer to store it anyway. */
  | { readonly type: 'secretsConsentRequired'; readonly reason: SecretsConsentReason }
  /** Show this view (the tray's Settings item). */
  | { readonly type: 'viewRequested'; readonly view: 'chat' | 'settings' };

export interface TaskRow {
  readonly id: string;
  readonly title: string;
  readonly progress: number;
  readonly state: 'running' | 'completed' | 'failed';
  readonly message: string | null;
}

/** The single event channel name. */
export const EVENT_CHANNEL = 'lumi:event';

/** Sends one request and resolves with its Result: the preload's invoke, the preview's socket. */
export type IpcCall = <C extends IpcChannel>(
  channel: C,
  request: IpcRequest<C>,
) => Promise<IpcResponse<C>>;

/** Subscribes to every event main pushes; returns the unsubscribe function. */
export type EventSubscribe = (listener: (event: AppEvent) => void) => () => void;

/**
 * `window.lumi`: one named method per request channel, each resolving to that channel's
 * `Result`, plus `onEvent`. The Electron preload and the browser preview's bridge both build
 * it here, from their own way of sending a request and of receiving events.
 */
export function makeLumiApi(call: IpcCall, onEvent: EventSubscribe) {
  return {
    /** `app:ready`: the window is listening; answers with everything it needs to draw. */
    ready: () => call('app:ready', undefined),
    connect: () => call('session:connect', undefined),
    disconnect: () => call('session:disconnect', undefined),
    retry: () => call('session:retry', undefined),
    sendText: (text: string) => call('session:sendText', { text }),
    retrySend: (id: string) => call('session:retrySend', { id }),
    cancelSend: (id: string) => call('session:cancelSend', { id }),
    editSend: (id: string, text: string) => call('session:editSend', { id, text }),
    startTalking: () => call('session:startTalking', undefined),
    stopTalking: () => call('session:stopTalking', undefined),
    abort: () => call('session:abort', undefined),
    setMode: (mode: ListenMode) => call('session:setMode', { mode }),
    getSettings: () => call('settings:get', undefined),
    updateSettings: (patch: Partial<Settings>) => call('settings:update', { patch }),
    listProfiles: () => call('profiles:list', undefined),
    /** `token`: a new token to store, `null` to forget the stored one, omitted to keep it. */
    saveProfile: (profile: ServerProfile, token?: string | null) =>
      // An omitted token (keep the stored one) must not arrive as `token: undefined`.
      call('profiles:save', token === undefined ? { profile } : { profile, token }),
    activateProfile: (id: string) => call('profiles:activate', { id }),
    removeProfile: (id: string) => call('profiles:remove', { id }),
    /** JSON of every profile, without tokens, device keys and identities. */
    exportProfiles: () => call('profiles:export', undefined),
    /** Main writes every profile with its secrets to a file the user picks; answers the path. */
    exportSecrets: () => call('profiles:exportSecrets', undefined),
    importProfiles: (json: string) => call('profiles:import', { json }),
    /** Store tokens despite a keystore that does not really encrypt (after the warning). */
    allowStoringSecrets: () => call('secrets:allowStoring', undefined),
    runDoctor: () => call('doctor:run', undefined),
    listDevices: () => call('devices:list', undefined),
    testTone: () => call('devices:testTone', undefined),
    /** `before`: the `nextBefore` of the previous page, or null for the newest page. */
    historyPage: (before: string | null, limit: number) => call('history:page', { before, limit }),
    searchHistory: (query: string, limit: number) => call('history:search', { query, limit }),
    answerTool: (id: string, allow: boolean) => call('tools:answer', { id, allow }),
    setToolConsent: (tool: string, consent: ToolConsent) =>
      call('tools:setConsent', { tool, consent }),
    /** Main opens `https:` URLs in the system browser; the window itself never navigates. */
    openLink: (url: string) => call('links:open', { url }),
    hideWindow: () => call('window:hide', undefined),
    setPinned: (pinned: boolean) => call('window:setPinned', { pinned }),
    /** Every event main pushes to the window; returns the unsubscribe function. */
    onEvent,
  };
}

/** What the window finds on `window.lumi`. */
export type LumiApi = ReturnType<typeof makeLumiApi>;
