import type { ConnectionKind, ConnectionState } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { MessageKey, MessageParams } from '../i18n/translate.ts';

/** The colour family of a connection state, named for its meaning; CSS maps it to colours. */
export type StatusTone = 'idle' | 'busy' | 'linked' | 'greeting' | 'good' | 'bad';
export type StatusIcon =
  'plug' | 'spinner' | 'check' | 'exchange' | 'dot' | 'refresh' | 'pause' | 'warning' | 'lock';

export interface StatusLook {
  readonly tone: StatusTone;
  readonly icon: StatusIcon;
  readonly spin: boolean;
}

/**
 * Colour and icon per connection state, after the original Lumi status widget (grey initial,
 * orange connecting, blue connected, purple handshaking, green ready, red failures), extended
 * with the states a real xiaozhi server needs.
 */
const LOOKS: Readonly<Record<ConnectionKind, StatusLook>> = {
  initial: { tone: 'idle', icon: 'plug', spin: false },
  connecting: { tone: 'busy', icon: 'spinner', spin: true },
  connected: { tone: 'linked', icon: 'check', spin: false },
  handshaking: { tone: 'greeting', icon: 'exchange', spin: false },
  ready: { tone: 'good', icon: 'dot', spin: false },
  reconnecting: { tone: 'busy', icon: 'refresh', spin: false },
  disconnected: { tone: 'idle', icon: 'pause', spin: false },
  failed: { tone: 'bad', icon: 'warning', spin: false },
  authFailed: { tone: 'bad', icon: 'lock', spin: false },
};

export function statusLook(state: ConnectionState): StatusLook {
  return LOOKS[state.kind];
}

/** The state's name for the pill and for screen readers (without a running countdown). */
export function statusNameKey(state: ConnectionState): MessageKey {
  switch (state.kind) {
    case 'disconnected':
      return state.reason === 'idle' ? 'status.disconnectedIdle' : 'status.disconnected';
    default:
      return `status.${state.kind}`;
  }
}

/** The pill's visible text: the state's name, or the countdown while a retry is scheduled. */
export function statusText(
  state: ConnectionState,
  secondsLeft: number,
): { readonly key: MessageKey; readonly params?: MessageParams } {
  if (state.kind === 'reconnecting') {
    return secondsLeft > 0
      ? { key: 'status.reconnectingIn', params: { seconds: secondsLeft } }
      : { key: 'status.reconnecting' };
  }
  return { key: statusNameKey(state) };
}

/** The window's words, as the I18n state hands them out. */
export interface Words {
  readonly t: (key: MessageKey, params?: MessageParams) => string;
  readonly problem: (problem: Problem) => string;
}

/**
 * Why the connection is not usable, in the window's language: the cause and what follows from
 * it; the empty string for states that need no explanation.
 */
export function connectionTrouble(state: ConnectionState, words: Words): string {
  switch (state.kind) {
    case 'reconnecting':
      return words.problem(state.cause);
    case 'failed': {
      const gaveUp =
        state.gaveUpAfter === null
          ? ''
          : ` ${words.t('notice.gaveUp', { attempts: state.gaveUpAfter })}`;
      const slow = state.retryAt === null ? '' : ` ${words.t('notice.slowRetry')}`;
      return `${words.problem(state.cause)}${gaveUp}${slow}`;
    }
    case 'authFailed': {
      const next =
        state.refreshFailed === null
          ? words.t('notice.checkToken')
          : words.t('notice.refreshFailed', { problem: words.problem(state.refreshFailed) });
      return `${words.problem(state.cause)} ${next}`;
    }
    default:
      return '';
  }
}

/** Whether the user can ask for a new attempt right now. */
export function canRetry(state: ConnectionState): boolean {
  return (
    state.kind === 'failed' ||
    state.kind === 'authFailed' ||
    state.kind === 'disconnected' ||
    state.kind === 'reconnecting'
  );
}
