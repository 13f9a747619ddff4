/**
 * What the device tools may do on the desktop, injected by each front end: the Electron main
 * process (clipboard, Notification, shell.openExternal, desktopCapturer, the camera page) or
 * the CLI and the browser preview (NodeDesktopCapabilities). A capability that a front end
 * cannot provide throws CapabilityUnavailableError; the tool reports that to the server instead
 * of faking success.
 */
import type { ListenMode } from '../../../shared/assistant.ts';
import type { ScreenFrame } from '../vision/picture.ts';

export type { ScreenFrame } from '../vision/picture.ts';

/** What `self.get_device_status` reports beyond volume and mode. */
export interface DesktopStatus {
  /** The connection state's kind, e.g. `ready`. */
  readonly connection: string;
  readonly appVersion: string;
  /** e.g. `linux 6.1.0`. */
  readonly os: string;
}

/** The app's own state the tools read and change: Lumi's volume and listening mode. */
export interface AppControls {
  /** Lumi's output gain, 0–100. */
  getVolume(): Promise<number>;
  setVolume(volume: number): Promise<void>;
  getMode(): Promise<ListenMode>;
  setMode(mode: Exclude<ListenMode, 'realtime'>): Promise<void>;
  status(): Promise<DesktopStatus>;
}

export interface DesktopCapabilities extends AppControls {
  readClipboard(): Promise<string>;
  writeClipboard(text: string): Promise<void>;
  notify(title: string, body: string): Promise<void>;
  /** Open an https URL in the user's browser (the tool has checked the scheme already). */
  openExternal(url: string): Promise<void>;
  /**
   * The pixels of the display the user is looking at, without Lumi's own window, scaled down
   * natively where the platform can (the core scales the rest). Absent where the platform
   * offers no screen capture.
   */
  captureScreen?(options: { readonly maxSide: number }): Promise<ScreenFrame>;
  /** The user's camera; absent where the front end has no way to take a photo. */
  readonly camera?: CameraAccess;
}

/** A camera the front end can take one frame from. */
export interface CameraAccess {
  /** Whether a camera is plugged in now: the photo tool is listed only while one is. */
  present(): boolean;
  /** One frame as a JPEG whose longest side is at most `maxSide`. */
  takePhoto(options: { readonly maxSide: number }): Promise<Uint8Array>;
}

/** A capability this front end or platform does not have; the message says what is missing. */
export class CapabilityUnavailableError extends Error {
  override readonly name = 'CapabilityUnavailableError';
}
