/**
 * The tray's words in Lumi's two languages. The window has its own i18n; the tray lives in main
 * and needs only these few strings.
 */
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

const en: TrayLabels = {
  states: {
    offline: 'Offline',
    connecting: 'Connecting…',
    ready: 'Ready',
    listening: 'Listening',
    thinking: 'Thinking',
    speaking: 'Speaking',
    error: 'Connection failed',
    activation: 'Activation needed',
  },
  reconnecting: (attempt) => `Reconnecting (attempt ${attempt})`,
  authFailed: 'Not authorised',
  open: 'Open Lumi',
  talk: 'Talk',
  stopTalking: 'Stop talking',
  mode: 'Mode',
  pushToTalk: 'Push-to-talk',
  handsFree: 'Hands-free',
  realtime: 'Realtime',
  connect: 'Connect',
  disconnect: 'Disconnect',
  settings: 'Settings…',
  quit: 'Quit Lumi',
};

const zhCN: TrayLabels = {
  states: {
    offline: '离线',
    connecting: '连接中…',
    ready: '就绪',
    listening: '聆听中',
    thinking: '思考中',
    speaking: '说话中',
    error: '连接失败',
    activation: '等待激活',
  },
  reconnecting: (attempt) => `重连中（第 ${attempt} 次）`,
  authFailed: '认证失败',
  open: '打开 Lumi',
  talk: '说话',
  stopTalking: '停止说话',
  mode: '模式',
  pushToTalk: '按住说话',
  handsFree: '免提对话',
  realtime: '实时对话',
  connect: '连接',
  disconnect: '断开',
  settings: '设置…',
  quit: '退出 Lumi',
};

/** The labels for a language setting; `system` follows the OS locale (e.g. `app.getLocale()`). */
export function trayLabels(language: Language, systemLocale: string): TrayLabels {
  const resolved = language === 'system' ? systemLocale : language;
  return resolved.toLowerCase().startsWith('zh') ? zhCN : en;
}
