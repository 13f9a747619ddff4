/** Plain data the Electron-side tests share: settings and profiles as the core would return them. */
import type { ServerProfile, Settings } from '../../../shared/settings.ts';

export const homeServer: ServerProfile = {
  id: 'home',
  name: 'Home server',
  endpoint: { kind: 'websocket', url: 'ws://127.0.0.1:8000/xiaozhi/v1/' },
  dialect: 'xiaozhi',
  appHeartbeat: false,
  caFile: null,
  hasToken: false,
  activation: 'none',
};

export const cloudServer: ServerProfile = {
  id: 'cloud',
  name: 'xiaozhi.me',
  endpoint: { kind: 'ota', url: 'https://api.tenclass.net/xiaozhi/ota/' },
  dialect: 'xiaozhi',
  appHeartbeat: false,
  caFile: null,
  hasToken: true,
  activation: 'pending',
};

export const settings: Settings = {
  activeProfileId: 'home',
  mode: 'manual',
  realtimeEnabled: false,
  cues: true,
  volume: 80,
  inputDevice: null,
  outputDevice: null,
  frameDurationMs: 60,
  idleHangupSeconds: 90,
  hotkeys: {
    toggleTalk: 'CommandOrControl+Shift+Space',
    holdToTalk: 'F8',
    doubleTapHandsFree: true,
  },
  language: 'en',
  startAtLogin: false,
  notifications: true,
  historyRetentionDays: null,
  toolConsent: {},
};
