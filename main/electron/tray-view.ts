/**
 * The tray's view model: icon, tooltip and menu computed from the tray state. Plain data, so the
 * tray service can skip renders that change nothing and tests can read the menu directly.
 */
import type { ListenMode } from '../../shared/assistant.ts';
import type { TrayLabels } from './tray-labels.ts';
import {
  activeProfile,
  isConnectionActive,
  trayIconState,
  type TrayIconState,
  type TrayState,
} from './tray-state.ts';

/** Windows cuts tray tooltips at 127 characters (NOTIFYICONDATA.szTip holds 128 with the NUL). */
export const TOOLTIP_MAX_LENGTH = 127;

export type TrayAction =
  | 'open'
  | 'talk'
  | 'mode:manual'
  | 'mode:auto'
  | 'mode:realtime'
  | 'connect'
  | 'disconnect'
  | 'settings'
  | 'quit';

export type TrayMenuItem =
  | { readonly kind: 'action'; readonly action: TrayAction; readonly label: string }
  | {
      readonly kind: 'radio';
      readonly action: TrayAction;
      readonly label: string;
      readonly checked: boolean;
    }
  | { readonly kind: 'submenu'; readonly label: string; readonly items: readonly TrayMenuItem[] }
  | { readonly kind: 'separator' };

export interface TrayView {
  readonly icon: TrayIconState;
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

const TALKING_STATES: ReadonlySet<string> = new Set(['listening', 'thinking', 'speaking']);

/** Icon, tooltip and menu for a state. */
export function buildTrayView(state: TrayState, labels: TrayLabels): TrayView {
  const icon = trayIconState(state);
  return { icon, tooltip: buildTooltip(state, icon, labels), menu: buildMenu(state, labels) };
}

function buildTooltip(state: TrayState, icon: TrayIconState, labels: TrayLabels): string {
  const parts = ['Lumi', stateLabel(state, icon, labels)];
  const server = activeProfile(state)?.name;
  if (server) parts.push(server);
  if (state.emoji && icon !== 'offline' && icon !== 'error') parts.push(state.emoji);
  if (state.task) parts.push(`${state.task.title} ${Math.round(state.task.progress)}%`);
  const text = parts.join(' · ');
  const chars = [...text];
  return chars.length <= TOOLTIP_MAX_LENGTH
    ? text
    : `${chars.slice(0, TOOLTIP_MAX_LENGTH - 1).join('')}…`;
}

function stateLabel(state: TrayState, icon: TrayIconState, labels: TrayLabels): string {
  const { connection } = state;
  if (icon === 'connecting' && connection.kind === 'reconnecting') {
    return labels.reconnecting(connection.attempt);
  }
  if (icon === 'error' && connection.kind === 'authFailed') return labels.authFailed;
  return labels.states[icon];
}

function buildMenu(state: TrayState, labels: TrayLabels): readonly TrayMenuItem[] {
  const talking = isConnectionActive(state.connection) && TALKING_STATES.has(state.assistant);
  const modes: [ListenMode, string][] = [
    ['manual', labels.pushToTalk],
    ['auto', labels.handsFree],
  ];
  if (state.realtimeEnabled) modes.push(['realtime', labels.realtime]);
  return [
    // Always present: some Linux app indicators ignore clicks on the icon, so the menu is the
    // only way to open the window there.
    { kind: 'action', action: 'open', label: labels.open },
    { kind: 'action', action: 'talk', label: talking ? labels.stopTalking : labels.talk },
    {
      kind: 'submenu',
      label: labels.mode,
      items: modes.map(([mode, label]) => ({
        kind: 'radio',
        action: `mode:${mode}`,
        label,
        checked: state.mode === mode,
      })),
    },
    { kind: 'separator' },
    isConnectionActive(state.connection)
      ? { kind: 'action', action: 'disconnect', label: labels.disconnect }
      : { kind: 'action', action: 'connect', label: labels.connect },
    { kind: 'action', action: 'settings', label: labels.settings },
    { kind: 'separator' },
    { kind: 'action', action: 'quit', label: labels.quit },
  ];
}
