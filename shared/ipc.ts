/**
 * The one IPC contract between main and the window: channel → request and response types, and
 * the event channel. Main's gateway, the preload's `window.lumi` and the browser preview's bridge
 * are all typed from this map.
 */
import type { AssistantState, ListenMode } from './assistant.ts';
import type { ChatMessage } from './chat.ts';
import type { ConnectionState } from './connection-state.ts';
import type { Result } from './result.ts';
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
  readonly hotkeyProblems: readonly string[];
  /** Where real hold-to-talk cannot work (Wayland): the toggle fallback is in use. */
  readonly holdToTalkAvailable: boolean;
  /**
   * Set when tokens can only be kept for this session (no real keystore, e.g. Linux's
   * `basic_text`): the warning to show before the user allows storing them anyway.
   */
  readonly secretsConsent: string | null;
}

export interface HistoryPage {
  readonly messages: readonly ChatMessage[];
  /** Pass back as `before` to load the page before this one; null at the start. */
  readonly nextBefore: string | null;
}

export interface DoctorStep {
  readonly name: 'ota' | 'activation' | 'websocket' | 'hello' | 'mcp';
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly ms: number;
  readonly detail: string;
  /** A plain fix for the usual failures. */
  readonly fix: string | null;
}

export interface ToolPrompt {
  readonly id: string;
  readonly tool: string;
  readonly summary: string;
  readonly expiresAt: number;
}

/** Request channels: `[request, response]`. */
export interface IpcRequests {
  'app:ready': [undefined, Snapshot];
  'session:connect': [undefined, undefined];
  'session:disconnect': [undefined, undefined];
  'session:retry': [undefined, undefined];
  'session:sendText': [{ text: string }, OutboxItem];
  'session:retrySend': [{ id: string }, OutboxItem];
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
  /** JSON of the profiles, without tokens and device keys unless `includeSecrets`. */
  'profiles:export': [{ includeSecrets: boolean }, string];
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
  'window:hide': [undefined, undefined];
  'window:setPinned': [{ pinned: boolean }, undefined];
}

export type IpcChannel = keyof IpcRequests;
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
  | { readonly type: 'secretsConsentRequired'; readonly message: string }
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
