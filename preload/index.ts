/**
 * The window's only door to main: `window.lumi`, the contract's named methods (shared/ipc.ts)
 * over `ipcRenderer.invoke`, plus `onEvent`. Never `ipcRenderer` itself and never the IPC event
 * object, which carries `sender` (Electron security checklist item 20). Runs sandboxed, so it is
 * bundled into one CJS file.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { AppEvent, IpcResponse } from '../shared/ipc.ts';
import { EVENT_CHANNEL, makeLumiApi } from '../shared/ipc.ts';

const api = makeLumiApi(
  // Main's gateway answers every channel with that channel's Result, never a throw.
  (channel, request) =>
    ipcRenderer.invoke(channel, request) as Promise<IpcResponse<typeof channel>>,
  (listener) => {
    const forward = (_event: IpcRendererEvent, appEvent: AppEvent) => listener(appEvent);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    };
  },
);

/** The type of `window.lumi`, derived from the object itself. */
export type PreloadApi = typeof api;

contextBridge.exposeInMainWorld('lumi', api);
