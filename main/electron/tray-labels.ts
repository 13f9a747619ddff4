/**
 * The tray's words, from the window's i18n tables (renderer/src/i18n: plain TS, no DOM), so
 * there is one source for every language.
 */
import {
  resolveLocale,
  translate,
  type Locale,
  type MessageKey,
} from '../../renderer/src/i18n/translate.ts';
import type { Language } from '../../shared/settings.ts';
import type { TrayIconState } from './tray-state.ts';

export interface TrayLabels {
  readonly states: Readonly<Record<TrayIconState, string>>;
  readonly reconnecting: (attempt: number) => string;
  readonly authFailed: string;
  readonly open: string;
  readonly talk: string;
  readonly stopTalking: string;
  readonly mode: string;
  readonly pushToTalk: string;
  readonly handsFree: string;
  readonly realtime: string;
  readonly connect: string;
  readonly disconnect: string;
  readonly settings: string;
  readonly quit: string;
}

const STATE_KEYS: Readonly<Record<TrayIconState, MessageKey>> = {
  offline: 'tray.offline',
  connecting: 'tray.connecting',
  ready: 'tray.ready',
  listening: 'tray.listening',
  thinking: 'tray.thinking',
  speaking: 'tray.speaking',
  error: 'tray.error',
  activation: 'tray.activation',
};

function labelsIn(locale: Locale): TrayLabels {
  const t = (key: MessageKey): string => translate(locale, key);
  const states = Object.fromEntries(
    Object.entries(STATE_KEYS).map(([state, key]) => [state, t(key)]),
  ) as Record<TrayIconState, string>;
  return {
    states,
    reconnecting: (attempt) => translate(locale, 'tray.reconnecting', { attempt }),
    authFailed: t('tray.authFailed'),
    open: t('tray.open'),
    talk: t('tray.talk'),
    stopTalking: t('tray.stopTalking'),
    mode: t('tray.mode'),
    pushToTalk: t('tray.pushToTalk'),
    handsFree: t('tray.handsFree'),
    realtime: t('tray.realtime'),
    connect: t('tray.connect'),
    disconnect: t('tray.disconnect'),
    settings: t('tray.settings'),
    quit: t('tray.quit'),
  };
}

const LABELS: Readonly<Record<Locale, TrayLabels>> = {
  en: labelsIn('en'),
  'zh-CN': labelsIn('zh-CN'),
};

/** The labels for a language setting; `system` follows the OS locale (e.g. `app.getLocale()`). */
export function trayLabels(language: Language, systemLocale: string): TrayLabels {
  return LABELS[resolveLocale(language, systemLocale)];
}
