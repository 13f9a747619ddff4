/**
 * What the server's device tools may do on this desktop, through Electron: the clipboard, a
 * notification, an https link in the browser, a screenshot of the primary display. Lumi's own
 * volume, mode and status come from the composition root (`app`).
 */
import type { ListenMode } from '../../shared/assistant.ts';
import {
  CapabilityUnavailableError,
  type AppControls,
  type DesktopCapabilities,
  type DesktopStatus,
  type Screenshot,
} from '../core/mcp/capabilities.ts';
import { isSafeExternalUrl } from './security.ts';

/** JPEG keeps a full-display screenshot to a size a model endpoint accepts; 80 stays legible. */
export const SCREENSHOT_JPEG_QUALITY = 80;

export interface ImageLike {
  isEmpty(): boolean;
  getSize(): { width: number; height: number };
  toJPEG(quality: number): Buffer;
}

export interface ScreenSourceLike {
  readonly display_id: string;
  readonly thumbnail: ImageLike;
}

export interface ElectronDesktopOptions {
  readonly app: AppControls;
  /** Electron's `clipboard` (promise-based since Electron 45). */
  readonly clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> };
  /** Shows a notification; false where the platform has none. */
  readonly notify: (title: string, body: string) => boolean;
  /** Electron's `shell.openExternal`. */
  readonly openExternal: (url: string) => Promise<void>;
  /** Electron's `desktopCapturer.getSources`, absent where capture is not offered. */
  readonly getScreenSources?: (options: {
    types: 'screen'[];
    thumbnailSize: { width: number; height: number };
  }) => Promise<ScreenSourceLike[]>;
  readonly primaryDisplay: () => {
    readonly id: number;
    readonly size: { readonly width: number; readonly height: number };
  };
}

export class ElectronDesktopCapabilities implements DesktopCapabilities {
  readonly #options: ElectronDesktopOptions;
  readonly screenshot?: (options: { readonly maxWidth: number }) => Promise<Screenshot>;

  constructor(options: ElectronDesktopOptions) {
    this.#options = options;
    if (options.getScreenSources) {
      const getSources = options.getScreenSources;
      this.screenshot = (shot) => this.#capture(getSources, shot.maxWidth);
    }
  }

  getVolume(): Promise<number> {
    return this.#options.app.getVolume();
  }

  setVolume(volume: number): Promise<void> {
    return this.#options.app.setVolume(volume);
  }

  getMode(): Promise<ListenMode> {
    return this.#options.app.getMode();
  }

  setMode(mode: Exclude<ListenMode, 'realtime'>): Promise<void> {
    return this.#options.app.setMode(mode);
  }

  status(): Promise<DesktopStatus> {
    return this.#options.app.status();
  }

  readClipboard(): Promise<string> {
    return this.#options.clipboard.readText();
  }

  writeClipboard(text: string): Promise<void> {
    return this.#options.clipboard.writeText(text);
  }

  async notify(title: string, body: string): Promise<void> {
    if (!this.#options.notify(title, body)) {
      throw new CapabilityUnavailableError('This desktop does not support notifications');
    }
  }

  async openExternal(url: string): Promise<void> {
    // The tool checks the scheme too; main checks again because this is where the OS is asked.
    if (!isSafeExternalUrl(url)) {
      throw new CapabilityUnavailableError('Only https links can be opened');
    }
    await this.#options.openExternal(new URL(url).href);
  }

  async #capture(
    getSources: NonNullable<ElectronDesktopOptions['getScreenSources']>,
    maxWidth: number,
  ): Promise<Screenshot> {
    const display = this.#options.primaryDisplay();
    const scale = Math.min(1, maxWidth / display.size.width);
    const thumbnailSize = {
      width: Math.max(1, Math.round(display.size.width * scale)),
      height: Math.max(1, Math.round(display.size.height * scale)),
    };
    const sources = await getSources({ types: ['screen'], thumbnailSize });
    const source = sources.find((s) => s.display_id === String(display.id)) ?? sources[0];
    // macOS without the Screen Recording permission (and Wayland without a portal answer)
    // returns sources whose thumbnails are empty.
    if (!source || source.thumbnail.isEmpty()) {
      throw new CapabilityUnavailableError(
        'Screen capture is not permitted (grant Lumi screen recording access)',
      );
    }
    const size = source.thumbnail.getSize();
    return {
      data: new Uint8Array(source.thumbnail.toJPEG(SCREENSHOT_JPEG_QUALITY)),
      mimeType: 'image/jpeg',
      width: size.width,
      height: size.height,
    };
  }
}
