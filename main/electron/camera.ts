/**
 * The camera, through a hidden capture page (renderer/camera.html): Lumi's window never gets a
 * media permission, so one frame is taken by a page of its own, sandboxed, in a session
 * partition of its own (in memory: nothing of it is written to disk), whose permission handlers
 * grant video capture to that page alone and deny everything else. The page counts the
 * cameras (at load and on every device change) and answers capture requests with a JPEG over
 * the channels of shared/camera-page.ts, which main accepts from that page only.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import {
  CAMERA_CHANNELS,
  type CaptureReply,
  type CaptureRequest,
} from '../../shared/camera-page.ts';
import type { CameraAccess } from '../core/mcp/capabilities.ts';
import { SECOND } from '../core/util/clock.ts';
import * as z from '../core/util/zod.ts';
import type { PermissionSession } from './security.ts';

/** No `persist:` prefix: the partition lives in memory and leaves nothing in the profile. */
export const CAMERA_PARTITION = 'lumi-camera';
/** Opening a camera and its first frame take a second or two; past this it is not coming. */
export const CAPTURE_TIMEOUT_MS = 10 * SECOND;
/** The largest photo accepted from the page: a 1280 px JPEG is far smaller. */
export const CAMERA_MAX_JPEG_BYTES = 8 * 1024 * 1024;
/** The most cameras the page may report (a number, not a list: nothing about them leaves). */
const MAX_CAMERAS = 64;

/** The sender of an IPC message, as Electron's event carries it. */
interface IpcSenderEvent {
  readonly sender: { readonly id: number };
}

/** The part of `ipcMain` the service uses. */
export interface CameraIpcMain {
  on(channel: string, listener: (event: IpcSenderEvent, payload: unknown) => void): unknown;
  removeListener(
    channel: string,
    listener: (event: IpcSenderEvent, payload: unknown) => void,
  ): unknown;
}

export interface CameraWindowLike {
  readonly webContents: {
    readonly id: number;
    send(channel: string, payload: CaptureRequest): void;
    isDestroyed(): boolean;
  };
  loadURL(url: string): Promise<void>;
  isDestroyed(): boolean;
  destroy(): void;
}

export interface CameraServiceOptions {
  /** `new BrowserWindow(options)`. */
  readonly createWindow: (options: BrowserWindowConstructorOptions) => CameraWindowLike;
  /** `session.fromPartition(CAMERA_PARTITION)`: where the permission handlers go. */
  readonly session: PermissionSession;
  readonly ipcMain: CameraIpcMain;
  /** dist/preload/camera.cjs. */
  readonly preloadPath: string;
  /** The page's URL (app://lumi/camera.html). */
  readonly url: string;
  readonly onError?: (message: string, error: unknown) => void;
}

const replySchema = z.union([
  z.object({
    id: z.int(),
    ok: z.literal(true),
    jpeg: z.instanceof(Uint8Array).check(z.refine((b) => b.byteLength <= CAMERA_MAX_JPEG_BYTES)),
    width: z.int(),
    height: z.int(),
  }),
  z.object({ id: z.int(), ok: z.literal(false), reason: z.string().check(z.maxLength(500)) }),
]);
const countSchema = z.int().check(z.gte(0), z.lte(MAX_CAMERAS));

/** The capture page's window: hidden, sandboxed, isolated, in the camera partition. */
export function cameraWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    show: false,
    width: 1,
    height: 1,
    skipTaskbar: true,
    focusable: false,
    webPreferences: {
      preload: preloadPath,
      partition: CAMERA_PARTITION,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // A hidden page is throttled by default, which would stall the camera's first frame.
      backgroundThrottling: false,
    },
  };
}

/** Whether a permission request is for the camera alone (no microphone, no screen). */
function isVideoOnly(permission: string, details: { mediaTypes?: readonly string[] }): boolean {
  const types = details.mediaTypes ?? [];
  return permission === 'media' && types.length > 0 && types.every((type) => type === 'video');
}

/**
 * Grant `media` (video only) to the page whose webContents id `pageId` returns, deny every
 * other permission and device to it and to anything else in the partition.
 */
export function grantCameraOnly(session: PermissionSession, pageId: () => number | null): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    const fromPage = contents !== null && contents.id === pageId();
    callback(fromPage && isVideoOnly(permission, details as { mediaTypes?: string[] }));
  });
  // Checks (enumerateDevices asks one) see `media` for the page; nothing else passes.
  session.setPermissionCheckHandler(
    (contents, permission) =>
      contents !== null && contents.id === pageId() && permission === 'media',
  );
  session.setDevicePermissionHandler(() => false);
}

interface Pending {
  readonly resolve: (jpeg: Uint8Array) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** The camera for the device tools: present while the page counts one, a photo on request. */
export class CameraService implements CameraAccess {
  readonly #options: CameraServiceOptions;
  #window: CameraWindowLike | null = null;
  #cameras = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #onFrame = (event: IpcSenderEvent, payload: unknown): void => {
    if (this.#fromPage(event)) this.#frameTaken(payload);
  };
  readonly #onCount = (event: IpcSenderEvent, payload: unknown): void => {
    if (!this.#fromPage(event)) return;
    const count = countSchema.safeParse(payload);
    if (count.success) this.#cameras = count.data;
  };

  constructor(options: CameraServiceOptions) {
    this.#options = options;
  }

  /** Open the hidden page; until it has counted, no camera is present. */
  start(): void {
    const { ipcMain, session, createWindow, preloadPath, url } = this.#options;
    grantCameraOnly(session, () => this.#pageId());
    ipcMain.on(CAMERA_CHANNELS.frameTaken, this.#onFrame);
    ipcMain.on(CAMERA_CHANNELS.camerasCounted, this.#onCount);
    const window = createWindow(cameraWindowOptions(preloadPath));
    this.#window = window;
    window.loadURL(url).catch((error: unknown) => this.#options.onError?.('camera page', error));
  }

  present(): boolean {
    return this.#cameras > 0 && this.#pageId() !== null;
  }

  takePhoto(options: { readonly maxSide: number }): Promise<Uint8Array> {
    const window = this.#window;
    if (window === null || window.isDestroyed() || window.webContents.isDestroyed()) {
      return Promise.reject(new Error('The camera page is not running'));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error('The camera did not answer in time'));
      }, CAPTURE_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      window.webContents.send(CAMERA_CHANNELS.captureRequested, { id, maxSide: options.maxSide });
    });
  }

  stop(): void {
    const { ipcMain } = this.#options;
    ipcMain.removeListener(CAMERA_CHANNELS.frameTaken, this.#onFrame);
    ipcMain.removeListener(CAMERA_CHANNELS.camerasCounted, this.#onCount);
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('The camera page closed'));
      this.#pending.delete(id);
    }
    if (this.#window !== null && !this.#window.isDestroyed()) this.#window.destroy();
    this.#window = null;
    this.#cameras = 0;
  }

  #pageId(): number | null {
    const window = this.#window;
    return window === null || window.isDestroyed() ? null : window.webContents.id;
  }

  #fromPage(event: IpcSenderEvent): boolean {
    return event.sender.id === this.#pageId();
  }

  #frameTaken(payload: unknown): void {
    const parsed = replySchema.safeParse(payload);
    if (!parsed.success) return;
    const reply: CaptureReply = parsed.data;
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.jpeg);
    else pending.reject(new Error(`The camera gave no photo: ${reply.reason}`));
  }
}
