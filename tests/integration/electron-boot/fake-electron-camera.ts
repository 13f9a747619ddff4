/**
 * The fake Electron's session partitions and the hidden camera page as it plays it. A partition
 * keeps the permission handlers and protocol handlers main gives it. A window opened in a
 * partition is the camera page: it loads its URL through that partition's own app:// handler,
 * reports one camera, and for each capture request asks the partition's permission handler for
 * video, as Chromium's getUserMedia would, answering with a 640×480 #cc3366 JPEG only when it
 * was granted. The real page runs in Chromium in tests/e2e/camera.spec.ts.
 */
import jpeg from 'jpeg-js';
import { CAMERA_CHANNELS, type CaptureRequest } from '../../../shared/camera-page.ts';
import type { ProtocolHandler } from './fake-electron-control.ts';
import type { FakeBrowserWindow, FakeWebContents } from './fake-electron-windows.ts';

export const FAKE_CAMERA = { width: 640, height: 480, rgb: [0xcc, 0x33, 0x66] } as const;

type Grant = (granted: boolean) => void;
type RequestHandler = (
  contents: FakeWebContents | null,
  permission: string,
  callback: Grant,
  details: { readonly mediaTypes?: readonly string[]; readonly requestingUrl: string },
) => void;
export type IpcListener = (event: { readonly sender: FakeWebContents }, payload: unknown) => void;

/** A session: the default one, or one from `session.fromPartition`. */
export class FakeSession {
  requestHandler: RequestHandler | null = null;
  checkHandler: ((...args: never[]) => unknown) | null = null;
  readonly protocolHandlers = new Map<string, ProtocolHandler>();
  readonly protocol = {
    handle: (scheme: string, handler: ProtocolHandler): void => {
      this.protocolHandlers.set(scheme, handler);
    },
  };

  setPermissionRequestHandler(handler: RequestHandler | null): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: ((...args: never[]) => unknown) | null): void {
    this.checkHandler = handler;
  }
  setDevicePermissionHandler(): void {}

  /** What a page's permission request gets: Electron grants everything when no handler is set. */
  ask(contents: FakeWebContents, permission: string, mediaTypes?: string[]): Promise<boolean> {
    const handler = this.requestHandler;
    if (handler === null) return Promise.resolve(true);
    return new Promise((resolve) =>
      handler(contents, permission, resolve, {
        ...(mediaTypes && { mediaTypes }),
        requestingUrl: contents.url,
      }),
    );
  }
}

export const partitions = new Map<string, FakeSession>();

export function fromPartition(name: string): FakeSession {
  const existing = partitions.get(name);
  if (existing) return existing;
  const created = new FakeSession();
  partitions.set(name, created);
  return created;
}

/** `ipcMain.on` listeners by channel. */
export const ipcListeners = new Map<string, Set<IpcListener>>();

function fromPage(contents: FakeWebContents, channel: string, payload: unknown): void {
  // What crosses from a renderer is structured-cloned in Electron too.
  const copy = structuredClone(payload);
  for (const listener of ipcListeners.get(channel) ?? []) listener({ sender: contents }, copy);
}

function photo(): Uint8Array {
  const { width, height, rgb } = FAKE_CAMERA;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([...rgb, 0xff], i);
  return new Uint8Array(jpeg.encode({ width, height, data }, 85).data);
}

/** Make `window`, opened in `partition`, behave as the camera page. */
export function playCameraPage(window: FakeBrowserWindow, partition: FakeSession): void {
  const contents = window.webContents;
  window.loadURL = async (url: string) => {
    contents.url = url;
    const handler = partition.protocolHandlers.get(new URL(url).protocol.slice(0, -1));
    const response = handler ? await handler(new Request(url)) : null;
    // A page its partition cannot serve never runs its script.
    if (response?.status !== 200) return;
    fromPage(contents, CAMERA_CHANNELS.camerasCounted, 1);
  };
  contents.send = (channel: string, payload: unknown) => {
    if (channel !== CAMERA_CHANNELS.captureRequested) return;
    const { id } = payload as CaptureRequest;
    void partition
      .ask(contents, 'media', ['video'])
      .then((granted) =>
        fromPage(
          contents,
          CAMERA_CHANNELS.frameTaken,
          granted
            ? { id, ok: true, jpeg: photo(), width: FAKE_CAMERA.width, height: FAKE_CAMERA.height }
            : { id, ok: false, reason: 'NotAllowedError: Permission denied' },
        ),
      );
  };
}
