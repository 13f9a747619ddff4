/**
 * What the server's device tools may do on this desktop, through Electron: the clipboard, a
 * notification, an https link in the browser, the pixels of the display under the pointer
 * (desktopCapturer, with Lumi's own window hidden while it is taken), the camera (camera.ts,
 * a hidden capture page). Lumi's own volume, mode and status come from the composition root
 * (`app`).
 */
import type { ListenMode } from '../../shared/assistant.ts';
import {
  CapabilityUnavailableError,
  type AppControls,
  type CameraAccess,
  type DesktopCapabilities,
  type DesktopStatus,
  type ScreenFrame,
} from '../core/mcp/capabilities.ts';
import { fittedSize } from '../core/vision/picture.ts';
import { isSafeExternalUrl } from './security.ts';

/** Chromium's bitmaps are BGRA, 4 bytes a pixel (kN32 on every little-endian platform). */
const BITMAP_OFFSETS = { red: 2, green: 1, blue: 0 } as const;
const BITMAP_BYTES_PER_PIXEL = 4;

export interface ImageLike {
  isEmpty(): boolean;
  getSize(): { width: number; height: number };
  toBitmap(): Buffer;
}

interface DisplayLike {
  readonly id: number;
  readonly size: { readonly width: number; readonly height: number };
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
  /** The display under the pointer (`screen.getDisplayNearestPoint(getCursorScreenPoint())`). */
  readonly displayUnderPointer: () => DisplayLike;
  /** Hide Lumi's window for the picture; resolves with how to bring it back. */
  readonly hideOwnWindow: () => Promise<() => void>;
  /** The camera's capture page (camera.ts), absent where none is started. */
  readonly camera?: CameraAccess;
}

export class ElectronDesktopCapabilities implements DesktopCapabilities {
  readonly #options: ElectronDesktopOptions;
  readonly captureScreen?: (options: { readonly maxSide: number }) => Promise<ScreenFrame>;
  readonly camera?: CameraAccess;

  constructor(options: ElectronDesktopOptions) {
    this.#options = options;
    if (options.camera) this.camera = options.camera;
    if (options.getScreenSources) {
      const getSources = options.getScreenSources;
      this.captureScreen = (shot) => this.#capture(getSources, shot.maxSide);
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
    maxSide: number,
  ): Promise<ScreenFrame> {
    const display = this.#options.displayUnderPointer();
    // desktopCapturer scales natively to the thumbnail size, far faster than doing it in JS.
    const thumbnailSize = fittedSize(display.size.width, display.size.height, maxSide);
    const restore = await this.#options.hideOwnWindow();
    let sources: ScreenSourceLike[];
    try {
      sources = await getSources({ types: ['screen'], thumbnailSize });
    } finally {
      restore();
    }
    const source = sources.find((s) => s.display_id === String(display.id)) ?? sources[0];
    // macOS without the Screen Recording permission (and Wayland without a portal answer)
    // returns sources whose thumbnails are empty.
    if (!source || source.thumbnail.isEmpty()) {
      throw new CapabilityUnavailableError(
        'Screen capture is not permitted (grant Lumi screen recording access)',
      );
    }
    const { width, height } = source.thumbnail.getSize();
    return {
      width,
      height,
      data: new Uint8Array(source.thumbnail.toBitmap()),
      stride: width * BITMAP_BYTES_PER_PIXEL,
      bytesPerPixel: BITMAP_BYTES_PER_PIXEL,
      offsets: BITMAP_OFFSETS,
    };
  }
}
