/**
 * The desktop the device tools see in the browser preview: Lumi's own volume, mode and status
 * are the core's controls (so a tool's change reaches the page as a settings event, as in the
 * app), and notifications and link requests become log lines, since the host has no desktop of
 * its own to show them on.
 */
import type { AppControls } from '../core/mcp/capabilities.ts';
import { NodeDesktopCapabilities } from '../core/mcp/node-capabilities.ts';

/**
 * Builds the preview's desktop capabilities.
 * @param app the core's controls (`appControlsFor`)
 * @param log where notifications and link requests are reported
 */
export function createPreviewDesktop(
  app: AppControls,
  log: (line: string) => void,
): NodeDesktopCapabilities {
  const desktop = new NodeDesktopCapabilities({ app });
  desktop.events.on('notificationShown', ({ title, body }) =>
    log(`notification: ${title}: ${body}`),
  );
  desktop.events.on('urlOpenRequested', (url) => log(`asked to open ${url} (not opened)`));
  return desktop;
}
