/**
 * A stand-in for the `electron` module, loaded into the built app (dist/main/index.cjs) in place
 * of the real one by electron-hook.ts. It offers exactly the API surface main/index.ts and
 * main/electron/* use, and keeps the rules of the real thing that a composition root can break:
 * privileged schemes only before `ready`; protocol handlers, windows, trays and the screen only
 * after; one handler per IPC channel; events and replies must survive structured cloning; a
 * window whose `close` is prevented cancels a quit. The test drives it through
 * fake-electron-control.ts.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  BaseWindow,
  BrowserWindowConstructorOptions,
  SaveDialogOptions,
  SaveDialogReturnValue,
} from 'electron';
import type { GlobalShortcutLike } from '../../../main/electron/hotkeys.ts';
import type { PowerMonitorLike } from '../../../main/electron/power.ts';
import type { SaveDialogLike } from '../../../main/electron/export-dialog.ts';
import type { SafeStorageLike } from '../../../main/electron/safe-storage.ts';
import { FAKE_ENV } from './boot-protocol.ts';
import {
  bootRecord,
  listenForControl,
  tellTest,
  type InvokeListener,
  type PermissionCheck,
  type ProtocolHandler,
} from './fake-electron-control.ts';
import {
  FakeSession,
  fromPartition,
  ipcListeners,
  partitions,
  playCameraPage,
} from './fake-electron-camera.ts';
import type { IpcListener } from './fake-electron-camera.ts';
import {
  FakeBrowserWindow,
  FakeTray,
  Menu,
  PreventableEvent,
  readiness,
  requireReady,
  trays,
  windows,
} from './fake-electron-windows.ts';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`fake electron: ${name} is not set`);
  return value;
}

const appPath = requiredEnv(FAKE_ENV.appPath);
const userData = requiredEnv(FAKE_ENV.userData);
const home = requiredEnv(FAKE_ENV.home);
const lockHeld = process.env[FAKE_ENV.lockHeld] === '1';

/** The byte prefix Chromium's OSCrypt puts on encrypted values on Linux. */
const CIPHER_PREFIX = Buffer.from('v11');
const DISPLAY = {
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 0, width: 1920, height: 1048 },
  size: { width: 1920, height: 1080 },
  scaleFactor: 1,
};

const privilegedSchemes: string[] = [];
const protocolHandlers = new Map<string, ProtocolHandler>();
const ipcHandlers = new Map<string, InvokeListener>();
const shortcuts = new Map<string, () => void>();
const openedLinks: string[] = [];
const saveDialogs: { readonly defaultPath: string | null; readonly modal: boolean }[] = [];
const state: { singleInstanceData: unknown } = { singleInstanceData: null };
const defaultSession = new FakeSession();
let quitting = false;

class FakeApp extends EventEmitter {
  readonly commandLine = { appendSwitch: (_name: string, _value?: string): void => undefined };
  /** macOS only; main calls `app.dock?.hide()`. */
  readonly dock = undefined;
  readonly #ready: Promise<void>;

  constructor() {
    super();
    this.#ready = new Promise((resolve) =>
      // Electron becomes ready after the main script's first run, never during it.
      setImmediate(() => {
        readiness.ready = true;
        this.emit('ready');
        resolve();
      }),
    );
  }

  whenReady(): Promise<void> {
    return this.#ready;
  }

  getPath(name: string): string {
    switch (name) {
      case 'userData':
        return userData;
      case 'logs':
        return path.join(userData, 'logs');
      case 'home':
        return home;
      default:
        throw new Error(`fake electron: app.getPath('${name}') is not offered`);
    }
  }

  getAppPath(): string {
    return appPath;
  }

  /** Like Electron: the version in the app's package.json. */
  getVersion(): string {
    const parsed: unknown = JSON.parse(readFileSync(path.join(appPath, 'package.json'), 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    if (typeof version !== 'string') throw new Error('package.json has no version');
    return version;
  }

  getLocale(): string {
    return 'en-US';
  }

  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
    state.singleInstanceData = additionalData ?? null;
    return !lockHeld;
  }

  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }

  setLoginItemSettings(): void {}

  /** Electron's order: before-quit, close every window, will-quit, quit; any veto cancels. */
  quit(): void {
    if (quitting) return;
    const beforeQuit = new PreventableEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    for (const window of windows) {
      if (!window.isDestroyed() && !window.close()) return;
    }
    const willQuit = new PreventableEvent();
    this.emit('will-quit', willQuit);
    if (willQuit.defaultPrevented) return;
    quitting = true;
    this.emit('quit');
    tellTest({ kind: 'quitting', record: bootRecord(world) }, () => process.exit(0));
  }

  exit(code = 0): void {
    process.exit(code);
  }
}

export const app = new FakeApp();

/**
 * Every new window's webContents is announced, as Electron does. A window in a partition of its
 * own is the camera page (fake-electron-camera.ts).
 */
export class BrowserWindow extends FakeBrowserWindow {
  constructor(options: BrowserWindowConstructorOptions) {
    super(options);
    const partition = options.webPreferences?.partition;
    if (partition !== undefined) playCameraPage(this, fromPartition(partition));
    app.emit('web-contents-created', new PreventableEvent(), this.webContents);
  }
}

export { FakeTray as Tray, Menu };

export const protocol = {
  registerSchemesAsPrivileged(schemes: readonly { scheme: string }[]): void {
    if (readiness.ready) {
      throw new Error('registerSchemesAsPrivileged must be called before app is ready');
    }
    privilegedSchemes.push(...schemes.map((s) => s.scheme));
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    requireReady('protocol.handle');
    protocolHandlers.set(scheme, handler);
  },
};

export const ipcMain = {
  handle(channel: string, listener: InvokeListener): void {
    if (ipcHandlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    ipcHandlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    ipcHandlers.delete(channel);
  },
  on(channel: string, listener: IpcListener): void {
    const listeners = ipcListeners.get(channel) ?? new Set();
    listeners.add(listener);
    ipcListeners.set(channel, listeners);
  },
  removeListener(channel: string, listener: IpcListener): void {
    ipcListeners.get(channel)?.delete(listener);
  },
};

export const session = {
  defaultSession,
  fromPartition(name: string): FakeSession {
    requireReady('session.fromPartition');
    return fromPartition(name);
  },
};

export const safeStorage: SafeStorageLike = {
  // On Linux the keystore is chosen at `ready`; before that nothing can be encrypted.
  isEncryptionAvailable: () => readiness.ready,
  encryptString: (plain) => Buffer.concat([CIPHER_PREFIX, Buffer.from(plain, 'utf8')]),
  decryptString: (data) => data.subarray(CIPHER_PREFIX.length).toString('utf8'),
  getSelectedStorageBackend: () => 'gnome_libsecret',
};

export const globalShortcut: GlobalShortcutLike & { unregisterAll(): void } = {
  register(accelerator, callback) {
    shortcuts.set(accelerator, callback);
    return true;
  },
  unregister(accelerator) {
    shortcuts.delete(accelerator);
  },
  unregisterAll() {
    shortcuts.clear();
  },
};

export const powerMonitor: PowerMonitorLike = new EventEmitter();
export const net = { isOnline: (): boolean => true };
export const shell = {
  async openExternal(url: string): Promise<void> {
    openedLinks.push(url);
  },
};

let clipboardText = '';
export const clipboard = {
  readText: async (): Promise<string> => clipboardText,
  writeText: async (text: string): Promise<void> => {
    clipboardText = text;
  },
};

/**
 * The user accepts every save dialog as offered, into the fake home folder. Typed against
 * Electron's own overloads (window first, or options alone).
 */
export const dialog: SaveDialogLike = {
  async showSaveDialog(
    windowOrOptions: BaseWindow | SaveDialogOptions,
    maybeOptions?: SaveDialogOptions,
  ): Promise<SaveDialogReturnValue> {
    requireReady('dialog');
    const options = maybeOptions ?? (windowOrOptions as SaveDialogOptions);
    const defaultPath = options.defaultPath ?? null;
    saveDialogs.push({ defaultPath, modal: maybeOptions !== undefined });
    const name = path.basename(defaultPath ?? 'export.json');
    return { canceled: false, filePath: path.join(home, name) };
  },
};

/** The colour of the fake display, in Chromium's BGRA byte order (#336699). */
const SCREEN_BGRA = [0x99, 0x66, 0x33, 0xff];
const screenCaptures: { width: number; height: number; windowVisible: boolean }[] = [];

/** One screen source showing a solid #336699 display, scaled to the thumbnail size asked for. */
export const desktopCapturer = {
  async getSources(options: {
    types: string[];
    thumbnailSize: { width: number; height: number };
  }): Promise<unknown[]> {
    requireReady('desktopCapturer');
    const { width, height } = options.thumbnailSize;
    screenCaptures.push({ width, height, windowVisible: windows.some((w) => w.isVisible()) });
    const bitmap = Buffer.alloc(width * height * 4);
    for (let i = 0; i < bitmap.length; i += 4) bitmap.set(SCREEN_BGRA, i);
    return [
      {
        display_id: String(DISPLAY.id),
        thumbnail: {
          isEmpty: () => false,
          getSize: () => ({ width, height }),
          toBitmap: () => bitmap,
        },
      },
    ];
  },
};

export const screen = {
  getPrimaryDisplay(): typeof DISPLAY {
    requireReady('screen');
    return DISPLAY;
  },
  getAllDisplays(): (typeof DISPLAY)[] {
    requireReady('screen');
    return [DISPLAY];
  },
  getCursorScreenPoint(): { x: number; y: number } {
    requireReady('screen');
    return { x: 960, y: 1040 };
  },
  getDisplayNearestPoint(): typeof DISPLAY {
    requireReady('screen');
    return DISPLAY;
  },
};

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }
  show(): void {}
}

const world = {
  app,
  windows,
  trays,
  privilegedSchemes,
  protocolHandlers,
  ipcHandlers,
  shortcuts,
  openedLinks,
  saveDialogs,
  screenCaptures,
  get singleInstanceData(): unknown {
    return state.singleInstanceData;
  },
  get permissionCheck(): PermissionCheck | null {
    return defaultSession.checkHandler as PermissionCheck | null;
  },
  session: (partition: string | null): FakeSession | undefined =>
    partition === null ? defaultSession : partitions.get(partition),
  ipcListenerChannels: (): string[] =>
    [...ipcListeners].filter(([, listeners]) => listeners.size > 0).map(([channel]) => channel),
};
listenForControl(world);
