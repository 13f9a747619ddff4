/**
 * The camera's Electron glue (main/electron/camera.ts) against a fake of Electron's API (its
 * binary cannot run here; the capture page itself runs in real Chromium in
 * tests/e2e/camera.spec.ts): the hidden, sandboxed window in its own partition, permission
 * handlers that grant video capture to that page alone, and IPC accepted from that page only.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CAMERA_CHANNELS, type CaptureRequest } from '../../../shared/camera-page.ts';
import {
  CAMERA_PARTITION,
  CAPTURE_TIMEOUT_MS,
  CameraService,
  type CameraIpcMain,
  type CameraWindowLike,
} from '../../../main/electron/camera.ts';
import type { PermissionSession } from '../../../main/electron/security.ts';

type RequestHandler = Parameters<PermissionSession['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<PermissionSession['setPermissionCheckHandler']>[0];
type DeviceHandler = Parameters<PermissionSession['setDevicePermissionHandler']>[0];

const PAGE_ID = 41;
const OTHER_ID = 1;
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 0xff, 0xd9]);

class FakeCameraWindow implements CameraWindowLike {
  readonly sent: CaptureRequest[] = [];
  readonly loaded: string[] = [];
  destroyed = false;
  readonly webContents = {
    id: PAGE_ID,
    send: (_channel: string, request: CaptureRequest) => this.sent.push(request),
    isDestroyed: () => this.destroyed,
  };
  readonly options: BrowserWindowConstructorOptions;
  constructor(options: BrowserWindowConstructorOptions) {
    this.options = options;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

function setup() {
  const handlers: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
  const session: PermissionSession = {
    setPermissionRequestHandler: (handler) => (handlers.request = handler),
    setPermissionCheckHandler: (handler) => (handlers.check = handler),
    setDevicePermissionHandler: (handler) => (handlers.device = handler),
  };
  const ipc = new EventEmitter();
  const windows: FakeCameraWindow[] = [];
  const camera = new CameraService({
    createWindow: (options) => {
      const window = new FakeCameraWindow(options);
      windows.push(window);
      return window;
    },
    session,
    ipcMain: ipc as unknown as CameraIpcMain,
    preloadPath: '/app/dist/preload/camera.cjs',
    url: 'app://lumi/camera.html',
  });
  camera.start();
  /** A message on a channel from the webContents with this id. */
  const fromContents = (id: number, channel: string, payload: unknown) =>
    ipc.emit(channel, { sender: { id } }, payload);
  /** What the permission request handler answers. */
  const request = (contentsId: number, permission: string, mediaTypes?: string[]) =>
    new Promise<boolean>((resolve) =>
      handlers.request?.({ id: contentsId } as never, permission as never, resolve, {
        mediaTypes,
        requestingUrl: 'app://lumi/camera.html',
      } as never),
    );
  const check = (contentsId: number | null, permission: string) =>
    handlers.check?.(
      contentsId === null ? null : ({ id: contentsId } as never),
      permission as never,
      'app://lumi',
      {} as never,
    );
  return { camera, windows, ipc, handlers, fromContents, request, check };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the camera page', () => {
  it('is one hidden, sandboxed, isolated window in the in-memory camera partition', () => {
    const { windows } = setup();
    expect(windows).toHaveLength(1);
    const options = windows[0]!.options;
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      partition: CAMERA_PARTITION,
      preload: '/app/dist/preload/camera.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(CAMERA_PARTITION.startsWith('persist:')).toBe(false);
    expect(windows[0]!.loaded).toEqual(['app://lumi/camera.html']);
  });

  it('grants video capture to the page alone and denies every other permission', async () => {
    const { request, check, handlers } = setup();
    expect(await request(PAGE_ID, 'media', ['video'])).toBe(true);
    expect(await request(PAGE_ID, 'media', ['audio'])).toBe(false);
    expect(await request(PAGE_ID, 'media', ['video', 'audio'])).toBe(false);
    expect(await request(PAGE_ID, 'media', [])).toBe(false);
    for (const permission of [
      'notifications',
      'geolocation',
      'display-capture',
      'clipboard-read',
    ]) {
      expect(await request(PAGE_ID, permission)).toBe(false);
    }
    expect(await request(OTHER_ID, 'media', ['video'])).toBe(false);
    expect(check(PAGE_ID, 'media')).toBe(true);
    expect(check(PAGE_ID, 'notifications')).toBe(false);
    expect(check(OTHER_ID, 'media')).toBe(false);
    expect(check(null, 'media')).toBe(false);
    expect(handlers.device?.({} as never)).toBe(false);
  });

  it('is present only while the page counts a camera; other senders are ignored', () => {
    const { camera, fromContents } = setup();
    expect(camera.present()).toBe(false);
    fromContents(OTHER_ID, CAMERA_CHANNELS.camerasCounted, 2);
    expect(camera.present()).toBe(false);
    fromContents(PAGE_ID, CAMERA_CHANNELS.camerasCounted, 1);
    expect(camera.present()).toBe(true);
    fromContents(PAGE_ID, CAMERA_CHANNELS.camerasCounted, 'many');
    expect(camera.present()).toBe(true);
    fromContents(PAGE_ID, CAMERA_CHANNELS.camerasCounted, 0);
    expect(camera.present()).toBe(false);
  });

  it('asks the page for a frame and takes the answer from the page only', async () => {
    const { camera, windows, fromContents } = setup();
    const photo = camera.takePhoto({ maxSide: 1280 });
    const [asked] = windows[0]!.sent;
    expect(asked).toEqual({ id: expect.any(Number), maxSide: 1280 });
    const id = asked!.id;
    fromContents(OTHER_ID, CAMERA_CHANNELS.frameTaken, {
      id,
      ok: true,
      jpeg: new Uint8Array([1]),
      width: 1,
      height: 1,
    });
    fromContents(PAGE_ID, CAMERA_CHANNELS.frameTaken, { id, ok: true, jpeg: 'not bytes' });
    fromContents(PAGE_ID, CAMERA_CHANNELS.frameTaken, {
      id,
      ok: true,
      jpeg: JPEG,
      width: 640,
      height: 480,
    });
    expect(await photo).toEqual(JPEG);

    const refused = camera.takePhoto({ maxSide: 1280 });
    const second = windows[0]!.sent[1]!.id;
    fromContents(PAGE_ID, CAMERA_CHANNELS.frameTaken, {
      id: second,
      ok: false,
      reason: 'NotAllowedError: Permission denied',
    });
    await expect(refused).rejects.toThrow('The camera gave no photo: NotAllowedError');
  });

  it('gives up on a page that does not answer, and on stop', async () => {
    vi.useFakeTimers();
    const { camera, windows, ipc } = setup();
    const late = camera.takePhoto({ maxSide: 1280 });
    vi.advanceTimersByTime(CAPTURE_TIMEOUT_MS);
    await expect(late).rejects.toThrow('did not answer in time');

    const pending = camera.takePhoto({ maxSide: 1280 });
    camera.stop();
    await expect(pending).rejects.toThrow('closed');
    expect(windows[0]!.destroyed).toBe(true);
    expect(ipc.listenerCount(CAMERA_CHANNELS.frameTaken)).toBe(0);
    expect(ipc.listenerCount(CAMERA_CHANNELS.camerasCounted)).toBe(0);
    await expect(camera.takePhoto({ maxSide: 1280 })).rejects.toThrow('not running');
    expect(camera.present()).toBe(false);
  });
});
