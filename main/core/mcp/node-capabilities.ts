/**
 * Desktop capabilities for the front ends that run under plain Node: the CLI and the browser
 * preview host. The clipboard goes through the platform's command-line tools; notifications
 * and links become events the front end shows (a terminal line, a message to the preview
 * page). With nobody listening they are reported unavailable rather than silently dropped.
 * The screen is captured on X11 (node-screen.ts); elsewhere the tool reports it unavailable.
 */
import { Emitter } from '../util/emitter.ts';
import type { ListenMode } from '../../../shared/assistant.ts';
import {
  CapabilityUnavailableError,
  type AppControls,
  type DesktopCapabilities,
  type DesktopStatus,
  type ScreenFrame,
} from './capabilities.ts';
import { CommandClipboard } from './node-clipboard.ts';
import { captureX11, hasX11Display } from './node-screen.ts';

export type NodeDesktopEvents = {
  notificationShown: (notification: { readonly title: string; readonly body: string }) => void;
  urlOpenRequested: (url: string) => void;
};

export interface NodeDesktopOptions {
  /** Lumi's own volume, mode and status, provided by the front end's composition root. */
  readonly app: AppControls;
  readonly env?: NodeJS.ProcessEnv;
  readonly platform?: NodeJS.Platform;
}

export class NodeDesktopCapabilities implements DesktopCapabilities {
  readonly events = new Emitter<NodeDesktopEvents>();

  readonly #app: AppControls;
  readonly #clipboard: CommandClipboard;
  readonly captureScreen?: (options: { readonly maxSide: number }) => Promise<ScreenFrame>;

  constructor(options: NodeDesktopOptions) {
    this.#app = options.app;
    const env = options.env ?? process.env;
    const platform = options.platform ?? process.platform;
    this.#clipboard = new CommandClipboard(env, platform);
    // xwd has no scaling of its own: the dump is scaled as it is read (node-screen.ts).
    if (hasX11Display(env, platform)) {
      this.captureScreen = (options) => captureX11(env, options.maxSide);
    }
  }

  getVolume(): Promise<number> {
    return this.#app.getVolume();
  }

  setVolume(volume: number): Promise<void> {
    return this.#app.setVolume(volume);
  }

  getMode(): Promise<ListenMode> {
    return this.#app.getMode();
  }

  setMode(mode: Exclude<ListenMode, 'realtime'>): Promise<void> {
    return this.#app.setMode(mode);
  }

  status(): Promise<DesktopStatus> {
    return this.#app.status();
  }

  readClipboard(): Promise<string> {
    return this.#clipboard.read();
  }

  writeClipboard(text: string): Promise<void> {
    return this.#clipboard.write(text);
  }

  async notify(title: string, body: string): Promise<void> {
    if (this.events.listenerCount('notificationShown') === 0) {
      throw new CapabilityUnavailableError('Notifications are not available in this front end');
    }
    this.events.emit('notificationShown', { title, body });
  }

  async openExternal(url: string): Promise<void> {
    if (this.events.listenerCount('urlOpenRequested') === 0) {
      throw new CapabilityUnavailableError('This front end cannot open links');
    }
    this.events.emit('urlOpenRequested', url);
  }
}
