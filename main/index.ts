/**
 * The Electron composition root: the only place that touches the real `electron` module. It
 * locks the app down, creates the core and hands it the desktop (safeStorage, notifications,
 * capabilities), then wires the tray, the window, the hotkeys and the IPC gateway to it.
 * Everything it wires lives in main/electron/ and is tested there against a fake Electron.
 */
import path from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  clipboard,
  desktopCapturer,
  dialog,
  globalShortcut,
  ipcMain,
  net,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
} from 'electron';
import type { ListenMode } from '../shared/assistant.ts';
import type { AppEvent } from '../shared/ipc.ts';
import type { Settings } from '../shared/settings.ts';
import { appControlsFor, type LumiControls } from './core/app/app-controls.ts';
import { createAppCore, type LumiCore } from './core/app/create-app-core.ts';
import type { WindowHandlers } from './core/app/handlers.ts';
import { createLogger } from './core/log/logger.ts';
import { SECOND, systemClock } from './core/util/clock.ts';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  createAppProtocolHandler,
} from './electron/app-protocol.ts';
import { applyAutostart } from './electron/autostart.ts';
import { CAMERA_PARTITION, CameraService } from './electron/camera.ts';
import { ElectronDesktopCapabilities } from './electron/capabilities.ts';
import { exportFileChooser } from './electron/export-dialog.ts';
import { HotkeyService } from './electron/hotkeys.ts';
import { IpcGateway } from './electron/ipc-gateway.ts';
import { loadKeyHook } from './electron/key-hook.ts';
import { createNotifier, type Notifier } from './electron/notifications.ts';
import { watchWakeups } from './electron/power.ts';
import { createSafeStorageCipher } from './electron/safe-storage.ts';
import { denyAllPermissions, lockDownWebContents } from './electron/security.ts';
import {
  acquireSingleInstance,
  parseLaunchFlags,
  startsHidden,
  type LaunchFlags,
} from './electron/single-instance.ts';
import { TalkController } from './electron/talk-controller.ts';
import { TrayService } from './electron/tray.ts';
import { initialTrayStateFrom, reduceTrayState, type TrayState } from './electron/tray-state.ts';
import type { TrayAction } from './electron/tray-view.ts';
import { ChatWindow, type ScreenSnapshot } from './electron/window.ts';
import { WINDOW_STATE_FILE, loadWindowSize, saveWindowSize } from './electron/window-size-store.ts';

/** Quitting waits this long for the core to close the socket and flush the stores. */
const QUIT_TIMEOUT_MS = 3 * SECOND;

const platform = process.platform;
const launchFlags = parseLaunchFlags(process.argv);
const log = createLogger({ dir: app.getPath('logs'), fileName: 'electron.log' }).child('main');

/** What the running app offers a second launch; null until the core is up. */
let running: { readonly secondLaunch: (flags: LaunchFlags) => void } | null = null;
const earlyLaunches: LaunchFlags[] = [];

// Before `ready`: the scheme must be privileged (standard, secure) to serve the renderer.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
if (platform === 'linux' && process.env.XDG_SESSION_TYPE === 'wayland') {
  // Lets globalShortcut register through the desktop portal where the compositor offers it.
  app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal');
}

if (!acquireSingleInstance(app, launchFlags, (flags) => dispatchLaunch(flags))) {
  app.quit();
} else {
  // A tray app keeps running with no window open.
  app.on('window-all-closed', () => undefined);
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log.error('startup failed', { error: String(error) });
      app.exit(1);
    });
}

function dispatchLaunch(flags: LaunchFlags): void {
  if (running) running.secondLaunch(flags);
  else earlyLaunches.push(flags);
}

/** Where the app's files are. */
interface AppPaths {
  readonly root: string;
  readonly icons: string;
  readonly data: string;
}

/**
 * The late parts: a hotkey, a notification click or the gateway's window channels fire into
 * parts made by later steps, so they reach them through here.
 */
interface Late {
  chatWindow: ChatWindow | null;
  browserWindow: BrowserWindow | null;
  talk: TalkController | null;
}

/** The Electron app, step by step; each step is a function below, in this order. */
async function start(): Promise<void> {
  app.dock?.hide();
  const paths = appPaths();
  lockDown(paths);
  const late: Late = { chatWindow: null, browserWindow: null, talk: null };
  const notifier = createDesktopNotifier(paths, late);
  const keys = await startHotkeys(late);
  const camera = createCamera(paths);
  const core = await startCore(paths, notifier, keys, { late, camera });
  const { settings, profiles } = core.snapshot();
  const applySettings = settingsFollower(keys.hotkeys);
  applySettings(settings);
  const gateway = startGateway(core, late);
  late.talk = createTalkController(core, gateway);
  const tray = startTray(paths, initialTrayStateFrom(settings, profiles), {
    late,
    gateway,
    controls: appControlsFor(core),
  });
  late.chatWindow = createChatWindow(paths, tray.service, gateway, late);
  // After the window: the camera page is a second, hidden one that nothing shows.
  camera.start();
  followCore(core, { gateway, late, tray, applySettings });
  const stopWakeWatch = nudgeOnWake(core);
  quitCleanly(core, late, [
    stopWakeWatch,
    () => camera.stop(),
    () => keys.hotkeys.stop(),
    () => globalShortcut.unregisterAll(),
    () => gateway.stop(),
    tray.destroy,
  ]);
  acceptLaunches(late);
}

function appPaths(): AppPaths {
  const root = app.getAppPath();
  return { root, icons: path.join(root, 'resources', 'icons'), data: app.getPath('userData') };
}

/** No permissions for web content, the renderer served on app://, every webContents locked. */
function lockDown(paths: AppPaths): void {
  denyAllPermissions(session.defaultSession);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ root: path.join(paths.root, 'dist', 'renderer') }),
  );
  app.on('web-contents-created', (_event, contents) =>
    lockDownWebContents(contents, {
      openExternal: (url) => shell.openExternal(url),
      onBlocked: (what, url) => log.warn('blocked', { what, url }),
    }),
  );
}

function createDesktopNotifier(paths: AppPaths, late: Late): Notifier {
  return createNotifier({
    create: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    icon: path.join(paths.icons, 'app-256.png'),
    onClick: () => late.chatWindow?.show(),
  });
}

interface Keys {
  readonly hotkeys: HotkeyService;
  /** False where real hold-to-talk cannot work (Wayland): the toggle fallback is in use. */
  readonly holdToTalkAvailable: boolean;
}

/** Global shortcuts and the hold key; they drive the talk controller once it exists. */
async function startHotkeys(late: Late): Promise<Keys> {
  const hotkeys = new HotkeyService({
    globalShortcut,
    keyHook: await loadKeyHook(platform, process.env),
    clock: systemClock,
    onToggleTalk: () => late.talk?.toggle(),
    onHoldGesture: (gesture) => late.talk?.gesture(gesture),
  });
  return { hotkeys, holdToTalkAvailable: hotkeys.start() };
}

/** Lets the compositor drop a hidden window from the screen before it is captured. */
const HIDE_SETTLE_MS = 150;

/** Hide Lumi's window (if shown) so the screen picture shows what the user looks at. */
async function hideForCapture(window: ChatWindow | null): Promise<() => void> {
  if (window === null || !window.isVisible()) return () => undefined;
  window.hide();
  await new Promise((resolve) => setTimeout(resolve, HIDE_SETTLE_MS));
  return () => window.show();
}

/**
 * The camera's hidden capture page, in a session partition of its own: the app:// files are
 * served there too (a partition has its own protocol handlers), and only that page may use the
 * camera (main/electron/camera.ts); the window's default session stays deny-all.
 */
function createCamera(paths: AppPaths): CameraService {
  const partition = session.fromPartition(CAMERA_PARTITION);
  partition.protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ root: path.join(paths.root, 'dist', 'renderer') }),
  );
  return new CameraService({
    createWindow: (options) =>
      new BrowserWindow({
        ...options,
        // Restated where the window is made, where static audits look; cameraWindowOptions()
        // holds the full set (tests/unit/electron/camera.test.ts).
        webPreferences: {
          ...options.webPreferences,
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
        },
      }),
    session: partition,
    ipcMain,
    preloadPath: path.join(paths.root, 'dist', 'preload', 'camera.cjs'),
    url: `${APP_SCHEME}://${APP_HOST}/camera.html`,
    onError: (message, error) => log.warn(message, { error: String(error) }),
  });
}

/** The core, with the desktop the device tools see (clipboard, notifications, screen, camera). */
function startCore(
  paths: AppPaths,
  notifier: Notifier,
  { hotkeys, holdToTalkAvailable }: Keys,
  { late, camera }: { late: Late; camera: CameraService },
): Promise<LumiCore> {
  return createAppCore({
    dataDir: paths.data,
    appVersion: app.getVersion(),
    platform,
    secretCipher: createSafeStorageCipher(safeStorage, platform),
    desktop: (controls) =>
      new ElectronDesktopCapabilities({
        app: controls,
        clipboard,
        notify: (title, body) => notifier.notify(title, body),
        openExternal: (url) => shell.openExternal(url),
        getScreenSources: (options) => desktopCapturer.getSources(options),
        displayUnderPointer: () => screen.getDisplayNearestPoint(screen.getCursorScreenPoint()),
        hideOwnWindow: () => hideForCapture(late.chatWindow),
        camera,
      }),
    isWindowVisible: () => late.chatWindow?.isVisible() ?? false,
    notify: (title, body) => {
      notifier.notify(title, body);
    },
    systemLanguage: app.getLocale(),
    chooseExportFile: exportFileChooser({
      dialog,
      window: () => (late.browserWindow?.isDestroyed() === false ? late.browserWindow : null),
      folder: app.getPath('home'),
    }),
    holdToTalkAvailable,
    hotkeyProblems: () => hotkeys.problems(),
  });
}

/** IPC: the core's channels, plus the window's own, which only Electron serves. */
function startGateway(core: LumiCore, late: Late): IpcGateway {
  const windowHandlers: WindowHandlers = {
    'window:hide': () => {
      late.chatWindow?.hide();
    },
    'window:setPinned': ({ pinned }) => {
      late.chatWindow?.setPinned(pinned);
    },
  };
  const gateway = new IpcGateway({
    ipcMain,
    handlers: { ...core.handlers, ...windowHandlers },
    target: () =>
      late.browserWindow !== null && !late.browserWindow.isDestroyed()
        ? late.browserWindow.webContents
        : null,
    log: (message, error) => log.error(message, { error: String(error) }),
  });
  gateway.start();
  return gateway;
}

function createTalkController(core: LumiCore, gateway: IpcGateway): TalkController {
  return new TalkController({
    handlers: core.handlers,
    state: () => core.snapshot(),
    emit: (event) => gateway.send(event),
    log: (message, error) => log.warn(message, { error: String(error) }),
  });
}

interface TrayParts {
  readonly late: Late;
  readonly gateway: IpcGateway;
  readonly controls: LumiControls;
}

/** The tray, drawn from a state reduced over the core's events. */
function startTray(paths: AppPaths, initial: TrayState, parts: TrayParts) {
  let state = initial;
  const service = new TrayService<Menu>({
    createTray: (icon) => new Tray(icon),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    iconsDir: paths.icons,
    platform,
    systemLocale: app.getLocale(),
    onClick: () => parts.late.chatWindow?.toggle(),
    onAction: (action) => onTrayAction(action, parts),
  });
  service.update(state);
  return {
    service,
    follow(event: AppEvent): void {
      state = reduceTrayState(state, event);
      service.update(state);
    },
    destroy: () => service.destroy(),
  };
}

function onTrayAction(action: TrayAction, { late, gateway, controls }: TrayParts): void {
  const run = (promise: Promise<unknown>) =>
    promise.catch((error: unknown) =>
      log.warn('tray action failed', { action, error: String(error) }),
    );
  switch (action) {
    case 'open':
      late.chatWindow?.show();
      return;
    case 'settings':
      late.chatWindow?.show();
      gateway.send({ type: 'viewRequested', view: 'settings' });
      return;
    case 'talk':
      late.talk?.toggle();
      return;
    case 'mode:manual':
    case 'mode:auto':
    case 'mode:realtime':
      void run(controls.setMode(action.slice(5) as ListenMode));
      return;
    case 'connect':
      void run(controls.connect());
      return;
    case 'disconnect':
      void run(controls.disconnect());
      return;
    case 'quit':
      app.quit();
      return;
  }
}

function createChatWindow(
  paths: AppPaths,
  tray: TrayService<Menu>,
  gateway: IpcGateway,
  late: Late,
): ChatWindow {
  const sizeFile = path.join(paths.data, WINDOW_STATE_FILE);
  return new ChatWindow({
    create: (options) =>
      (late.browserWindow = new BrowserWindow({
        ...options,
        // The isolation settings restated where the window is made, where static audits look;
        // chatWindowOptions() holds the full set (tests/unit/electron/window.test.ts).
        webPreferences: {
          ...options.webPreferences,
          sandbox: true,
          contextIsolation: true,
          nodeIntegration: false,
        },
      })),
    url: APP_ENTRY_URL,
    preloadPath: path.join(paths.root, 'dist', 'preload', 'index.cjs'),
    iconPath: path.join(paths.icons, 'app-256.png'),
    initialSize: loadWindowSize(sizeFile),
    saveSize: (size) => saveWindowSize(sizeFile, size),
    screen: (): ScreenSnapshot => ({
      trayBounds: tray.bounds(),
      displays: screen.getAllDisplays(),
      cursor: screen.getCursorScreenPoint(),
    }),
    clock: systemClock,
    onPageLoading: () => gateway.markNotReady(),
    onLoadFailed: (error) => log.error('window failed to load', { error: String(error) }),
    showWhenReady: !startsHidden({
      flags: launchFlags,
      openedAtLogin: platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
    }),
  });
}

interface Followers {
  readonly gateway: IpcGateway;
  readonly late: Late;
  readonly tray: { follow(event: AppEvent): void };
  readonly applySettings: (settings: Settings) => void;
}

/** Every core event goes to the window and the tray; settings re-apply. */
function followCore(core: LumiCore, followers: Followers): void {
  core.onEvent((event) => {
    followers.gateway.send(event);
    followers.tray.follow(event);
    if (event.type === 'settingsChanged') followers.applySettings(event.settings);
  });
}

/**
 * Applies the settings main acts on itself: the hotkeys, and start at login (only when it
 * differs from the last one applied, since that writes a login item or an autostart file).
 */
function settingsFollower(hotkeys: HotkeyService): (settings: Settings) => void {
  let applied: boolean | null = null;
  return (current) => {
    hotkeys.apply(current.hotkeys);
    if (current.startAtLogin === applied) return;
    applied = current.startAtLogin;
    try {
      applyAutostart(current.startAtLogin, {
        platform,
        app,
        env: process.env,
        home: app.getPath('home'),
        execPath: process.execPath,
      });
    } catch (error) {
      log.warn('start at login could not be changed', { error: String(error) });
    }
  };
}

/** Resume from sleep, unlock, network back: reconnect now instead of after the backoff. */
function nudgeOnWake(core: LumiCore): () => void {
  return watchWakeups({
    powerMonitor,
    isOnline: () => net.isOnline(),
    clock: systemClock,
    onWake: (reason) => {
      log.info('wake', { reason });
      core.nudge();
    },
  });
}

/** On quit: stop the parts, then give the core a few seconds to close the socket and stores. */
function quitCleanly(core: LumiCore, late: Late, stops: readonly (() => void)[]): void {
  app.on('before-quit', () => late.chatWindow?.markQuitting());
  let shutDown = false;
  app.on('will-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    shutDown = true;
    for (const stop of stops) stop();
    const timeout = new Promise((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS));
    void Promise.race([core.close(), timeout])
      .catch((error: unknown) => log.error('core close failed', { error: String(error) }))
      .finally(() => app.quit());
  });
}

/** A second launch (and this one's own flags): toggle talking or show the window. */
function acceptLaunches(late: Late): void {
  running = {
    secondLaunch: (flags) => {
      if (flags.toggleTalk) late.talk?.toggle();
      else late.chatWindow?.show();
    },
  };
  if (launchFlags.toggleTalk) late.talk?.toggle();
  for (const flags of earlyLaunches.splice(0)) running.secondLaunch(flags);
}
