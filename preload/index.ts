/**
 * The window's only door to main: `window.lumi`, one named function per IPC channel plus
 * `onEvent`. Never `ipcRenderer` itself and never the IPC event object, which carries `sender`
 * (Electron security checklist item 20). Runs sandboxed, so it is bundled into one CJS file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LumiApi } from '../renderer/src/lib/lumi-api.ts';
import type { AppEvent, IpcChannel, IpcRequest, IpcResponse } from '../shared/ipc.ts';
import { EVENT_CHANNEL } from '../shared/ipc.ts';

function invoke<C extends IpcChannel>(channel: C, request: IpcRequest<C>): Promise<IpcResponse<C>> {
  return ipcRenderer.invoke(channel, request) as Promise<IpcResponse<C>>;
}

const api = {
  ready: () => invoke('app:ready', undefined),
  connect: () => invoke('session:connect', undefined),
  disconnect: () => invoke('session:disconnect', undefined),
  retry: () => invoke('session:retry', undefined),
  sendText: (text: string) => invoke('session:sendText', { text }),
  retrySend: (id: string) => invoke('session:retrySend', { id }),
  startTalking: () => invoke('session:startTalking', undefined),
  stopTalking: () => invoke('session:stopTalking', undefined),
  abort: () => invoke('session:abort', undefined),
  setMode: (mode: IpcRequest<'session:setMode'>['mode']) => invoke('session:setMode', { mode }),
  getSettings: () => invoke('settings:get', undefined),
  updateSettings: (patch: IpcRequest<'settings:update'>['patch']) =>
    invoke('settings:update', { patch }),
  listProfiles: () => invoke('profiles:list', undefined),
  // An omitted token (keep the stored one) must not arrive as `token: undefined`.
  saveProfile: (profile: IpcRequest<'profiles:save'>['profile'], token?: string | null) =>
    invoke('profiles:save', token === undefined ? { profile } : { profile, token }),
  activateProfile: (id: string) => invoke('profiles:activate', { id }),
  removeProfile: (id: string) => invoke('profiles:remove', { id }),
  exportProfiles: (includeSecrets: boolean) => invoke('profiles:export', { includeSecrets }),
  importProfiles: (json: string) => invoke('profiles:import', { json }),
  allowStoringSecrets: () => invoke('secrets:allowStoring', undefined),
  runDoctor: () => invoke('doctor:run', undefined),
  listDevices: () => invoke('devices:list', undefined),
  testTone: () => invoke('devices:testTone', undefined),
  historyPage: (before: string | null, limit: number) => invoke('history:page', { before, limit }),
  searchHistory: (query: string, limit: number) => invoke('history:search', { query, limit }),
  answerTool: (id: string, allow: boolean) => invoke('tools:answer', { id, allow }),
  setToolConsent: (tool: string, consent: IpcRequest<'tools:setConsent'>['consent']) =>
    invoke('tools:setConsent', { tool, consent }),
  openLink: (url: string) => invoke('links:open', { url }),
  hideWindow: () => invoke('window:hide', undefined),
  setPinned: (pinned: boolean) => invoke('window:setPinned', { pinned }),
  onEvent: (listener: (event: AppEvent) => void): (() => void) => {
    const forward = (_event: IpcRendererEvent, appEvent: AppEvent) => listener(appEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
} satisfies LumiApi;

/** The type of `window.lumi`, derived from the object itself (and checked against LumiApi). */
export type PreloadApi = typeof api;

contextBridge.exposeInMainWorld('lumi', api);
