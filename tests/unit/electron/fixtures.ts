/** Plain data the Electron-side tests share: settings and profiles as the core would return them. */
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import { DEFAULT_SETTINGS } from '../../../main/core/store/settings-schema.ts';

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

/** The defaults, with the home profile active, push-to-talk, F8 to hold and English. */
export const settings: Settings = {
  ...DEFAULT_SETTINGS,
  activeProfileId: 'home',
  mode: 'manual',
  hotkeys: { ...DEFAULT_SETTINGS.hotkeys, holdToTalk: 'F8' },
  language: 'en',
};
