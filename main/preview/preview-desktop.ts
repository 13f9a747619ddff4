/**
 * The desktop the device tools see in the browser preview: Lumi's own volume and mode go
 * through the core's handlers (so a tool's change reaches the page as a settings event, as in
 * the app), the status comes from the core's last connection event, and notifications and
 * link requests become log lines, since the host has no desktop of its own to show them on.
 */
import { release } from 'node:os';
import type { ListenMode } from '../../shared/assistant.ts';
import type { ConnectionKind } from '../../shared/connection-state.ts';
import type { IpcHandlers } from '../core/app/handlers.ts';
import type { LumiCore } from '../core/app/create-app-core.ts';
import { NodeDesktopCapabilities } from '../core/mcp/node-capabilities.ts';

export interface PreviewDesktop {
  readonly desktop: NodeDesktopCapabilities;
  /** Hand over the core once it exists; the tools cannot run before it connects anyway. */
  attach(core: LumiCore): void;
}

/**
 * Builds the preview's desktop capabilities.
 * @param log where notifications and link requests are reported
 */
export function createPreviewDesktop(
  appVersion: string,
  log: (line: string) => void,
): PreviewDesktop {
  let core: LumiCore | null = null;
  let connection: ConnectionKind = 'initial';
  let realtime = false;

  const handlers = (): IpcHandlers => {
    if (core === null) throw new Error('the preview core is not ready yet');
    return core.handlers;
  };
  const settings = async () => handlers()['settings:get'](undefined);

  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: async () => (await settings()).volume,
      setVolume: async (volume) => {
        await handlers()['settings:update']({ patch: { volume } });
      },
      // Realtime is never stored in the settings, so it is known only from the session's events.
      getMode: async (): Promise<ListenMode> => (realtime ? 'realtime' : (await settings()).mode),
      setMode: async (mode) => {
        await handlers()['session:setMode']({ mode });
      },
      status: () =>
        Promise.resolve({ connection, appVersion, os: `${process.platform} ${release()}` }),
    },
  });
  desktop.events.on('notificationShown', ({ title, body }) =>
    log(`notification: ${title}: ${body}`),
  );
  desktop.events.on('urlOpenRequested', (url) => log(`asked to open ${url} (not opened)`));

  return {
    desktop,
    attach(attached) {
      core = attached;
      attached.onEvent((event) => {
        if (event.type === 'connectionChanged') connection = event.next.kind;
        if (event.type === 'modeChanged') realtime = event.mode === 'realtime';
      });
    },
  };
}
