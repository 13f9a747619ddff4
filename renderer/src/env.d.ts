import type { LumiApi } from '../../shared/ipc.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload, or by the browser preview's bridge script. */
    readonly lumi: LumiApi;
  }
}

export {};
