/**
 * What the tray shows, folded from the app's event stream. Pure: the tray service renders whatever
 * this reducer produces.
 */
import type { AssistantState, ListenMode } from '../../shared/assistant.ts';
import type { ConnectionState } from '../../shared/connection-state.ts';
import type { AppEvent, TaskRow } from '../../shared/ipc.ts';
import type { Language, ServerProfile, Settings } from '../../shared/settings.ts';

export type TrayIconState =
  | 'offline'
  | 'connecting'
  | 'ready'
  | 'listening'
  | 'thinking'
  | 'speaking'
  | 'error'
  | 'activation';

export const TRAY_ICON_STATES: readonly TrayIconState[] = [
  'offline',
  'connecting',
  'ready',
  'listening',
  'thinking',
  'speaking',
  'error',
  'activation',
];

export interface TrayState {
  readonly connection: ConnectionState;
  readonly assistant: AssistantState;
  readonly mode: ListenMode;
  readonly realtimeEnabled: boolean;
  readonly language: Language;
  readonly profiles: readonly ServerProfile[];
  readonly activeProfileId: string | null;
  /** Set by `activationRequired`, cleared once a session is ready. */
  readonly activationRequested: boolean;
  /** The emoji of the reply's emotion, while connected. */
  readonly emoji: string | null;
  /** The most recently updated task that is still running. */
  readonly task: TaskRow | null;
}

export const initialTrayState: TrayState = {
  connection: { kind: 'initial' },
  assistant: 'idle',
  mode: 'manual',
  realtimeEnabled: false,
  language: 'system',
  profiles: [],
  activeProfileId: null,
  activationRequested: false,
  emoji: null,
  task: null,
};

/** The tray state at start, from the settings and profiles read from the core. */
export function initialTrayStateFrom(
  settings: Settings,
  profiles: readonly ServerProfile[],
): TrayState {
  return { ...withSettings(initialTrayState, settings), mode: settings.mode, profiles };
}

/** The settings the tray shows; the mode itself follows `modeChanged`, not the stored default. */
function withSettings(state: TrayState, settings: Settings): TrayState {
  return {
    ...state,
    realtimeEnabled: settings.realtimeEnabled,
    language: settings.language,
    activeProfileId: settings.activeProfileId,
  };
}

/** Folds one app event into the tray state; events the tray does not show return it unchanged. */
export function reduceTrayState(state: TrayState, event: AppEvent): TrayState {
  switch (event.type) {
    case 'connectionChanged': {
      const ready = event.next.kind === 'ready';
      return {
        ...state,
        connection: event.next,
        activationRequested: ready ? false : state.activationRequested,
        emoji: ready ? state.emoji : null,
      };
    }
    case 'assistantChanged':
      return { ...state, assistant: event.next };
    case 'modeChanged':
      return { ...state, mode: event.mode };
    case 'emotionChanged':
      return { ...state, emoji: event.emoji || null };
    case 'settingsChanged':
      return withSettings(state, event.settings);
    case 'profilesChanged':
      return { ...state, profiles: event.profiles };
    case 'activationRequired':
      return { ...state, activationRequested: true };
    case 'taskUpdated':
      if (event.task.state === 'running') return { ...state, task: event.task };
      return state.task?.id === event.task.id ? { ...state, task: null } : state;
    default:
      return state;
  }
}

/** The active profile, if the settings name one that exists. */
export function activeProfile(state: TrayState): ServerProfile | null {
  return state.profiles.find((p) => p.id === state.activeProfileId) ?? null;
}

/** Which icon the tray shows: activation and failures first, then the connection, then the assistant. */
export function trayIconState(state: TrayState): TrayIconState {
  if (state.activationRequested || activeProfile(state)?.activation === 'pending') {
    return 'activation';
  }
  switch (state.connection.kind) {
    case 'initial':
    case 'disconnected':
      return 'offline';
    case 'connecting':
    case 'connected':
    case 'handshaking':
    case 'reconnecting':
      return 'connecting';
    case 'failed':
    case 'authFailed':
      return 'error';
    case 'ready':
      return state.assistant === 'idle' ? 'ready' : state.assistant;
  }
}

/** Whether the connection is up or on its way up (the menu then offers Disconnect). */
export function isConnectionActive(connection: ConnectionState): boolean {
  switch (connection.kind) {
    case 'initial':
    case 'disconnected':
    case 'failed':
    case 'authFailed':
      return false;
    default:
      return true;
  }
}
