/**
 * The app's own controls, over the core's handlers, for everything that drives Lumi from outside
 * the window: the device tools (volume, mode, status) in Electron, the browser preview and the
 * tests, and the tray's items in Electron. One set, so a tool, the tray and the window change a
 * setting the same way (and the window hears it as the same event).
 */
import { release } from 'node:os';
import type { ListenMode } from '../../../shared/assistant.ts';
import type { AppControls } from '../mcp/capabilities.ts';
import type { LumiCore } from './create-app-core.ts';

export interface LumiControls extends AppControls {
  /** Any mode, realtime included (the tray offers it; a tool may not ask for it). */
  setMode(mode: ListenMode): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** The controls of `core`; they reach it only when called. */
export function appControlsFor(core: Pick<LumiCore, 'handlers' | 'snapshot'>): LumiControls {
  const { handlers } = core;
  return {
    getVolume: async () => (await handlers['settings:get'](undefined)).volume,
    setVolume: async (volume) => {
      await handlers['settings:update']({ patch: { volume } });
    },
    // The session's mode, which may be realtime (never stored in the settings).
    getMode: async () => core.snapshot().mode,
    setMode: async (mode) => {
      await handlers['session:setMode']({ mode });
    },
    status: async () => {
      const { connection, appVersion, platform } = core.snapshot();
      return { connection: connection.kind, appVersion, os: `${platform} ${release()}` };
    },
    connect: async () => {
      await handlers['session:connect'](undefined);
    },
    disconnect: async () => {
      await handlers['session:disconnect'](undefined);
    },
  };
}
