/**
 * The Electron composition root: the only place that touches the real `electron` module. It
 * locks the app down, creates the core and hands it the desktop (safeStorage, notifications,
 * capabilities), then wires the tray, the window, the hotkeys and the IPC gateway to it.
 * Everything it wires lives in main/electron/ and is tested there against a fake Electron.
 */
import os from 'node:os';
import path from 'node:path';
import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  clipboard,
  desktopCapturer,
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
import type { Settings } from '../shared/settings.ts';
import type { AppCore } from './core/app/handlers.ts';
import { createAppCore, type LumiCore } from './core/app/create-app-core.ts';
import { createLogger } from './core/log/logger.ts';
import type { AppControls } from './core/mcp/capabilities.ts';
import { SECOND, systemClock } from './core/util/clock.ts';
import { APP_ENTRY_URL, APP_SCHEME, createAppProtocolHandler } from './electron/app-protocol.ts';
import { applyAutostart } from './electron/autostart.ts';
import { ElectronDesktopCapabilities } from './electron/capabilities.ts';
import { HotkeyService } from './electron/hotkeys.ts';
import { IpcGateway } from './electron/ipc-gateway.ts';
import { loadKeyHook } from './electron/key-hook.ts';
import { createNotifier } from './electron/notifications.ts';
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

async function start(): Promise<void> {
  app.dock?.hide();
  const appRoot = app.getAppPath();
  const iconsDir = path.join(appRoot, 'resources', 'icons');
  const dataDir = app.getPath('userData');

  denyAllPermissions(session.defaultSession);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({ root: path.join(appRoot, 'dist', 'renderer') }),
  );
  app.on('web-contents-created', (_event, contents) =>
    lockDownWebContents(contents, {
      openExternal: (url) => shell.openExternal(url),
      onBlocked: (what, url) => log.warn('blocked', { what, url }),
    }),
  );

  let chatWindow: ChatWindow | null = null;
  let browserWindow: BrowserWindow | null = null;
  let core: AppCore | null = null;
  let trayState: TrayState | null = null;
  // Declared up here: applyStartAtLogin (hoisted) first runs before the wiring below it.
  let lastStartAtLogin: boolean | null = null;
  const requireCore = (): AppCore => {
    if (core === null) throw new Error('the core is not running yet');
    return core;
  };

  const notifier = createNotifier({
    create: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    icon: path.join(iconsDir, 'app-256.png'),
    onClick: () => chatWindow?.show(),
  });

  // The device tools reach Lumi's own state through the core once it exists.
  const appControls: AppControls = {
    getVolume: async () => (await requireCore().handlers['settings:get'](undefined)).volume,
    setVolume: async (volume) => {
      await requireCore().handlers['settings:update']({ patch: { volume } });
    },
    getMode: async () => trayState?.mode ?? 'manual',
    setMode: async (mode) => {
      await requireCore().handlers['session:setMode']({ mode });
    },
    status: async () => ({
      connection: trayState?.connection.kind ?? 'initial',
      appVersion: app.getVersion(),
      os: `${platform} ${os.release()}`,
    }),
  };
  const desktop = new ElectronDesktopCapabilities({
    app: appControls,
    clipboard,
    notify: (title, body) => notifier.notify(title, body),
    openExternal: (url) => shell.openExternal(url),
    getScreenSources: (options) => desktopCapturer.getSources(options),
    primaryDisplay: () => screen.getPrimaryDisplay(),
  });

  let talk: TalkController | null = null;
  const hotkeys = new HotkeyService({
    globalShortcut,
    keyHook: await loadKeyHook(platform, process.env),
    clock: systemClock,
    onToggleTalk: () => talk?.toggle(),
    onHoldGesture: (gesture) => talk?.gesture(gesture),
  });
  const holdToTalkAvailable = hotkeys.start();

  const appCore: LumiCore = await createAppCore({
    dataDir,
    appVersion: app.getVersion(),
    platform,
    secretCipher: createSafeStorageCipher(safeStorage, platform),
    desktop,
    isWindowVisible: () => chatWindow?.isVisible() ?? false,
    notify: (title: string, body: string) => {
      notifier.notify(title, body);
    },
    holdToTalkAvailable,
    hotkeyProblems: () => hotkeys.problems(),
  });
  core = appCore;
  const settings = await appCore.handlers['settings:get'](undefined);
  const profiles = await appCore.handlers['profiles:list'](undefined);
  hotkeys.apply(settings.hotkeys);
  applyStartAtLogin(settings);
  trayState = initialTrayStateFrom(settings, profiles);

  const gateway = new IpcGateway({
    ipcMain,
    handlers: {
      ...appCore.handlers,
      'window:hide': () => {
        chatWindow?.hide();
        return undefined;
      },
      'window:setPinned': ({ pinned }) => {
        chatWindow?.setPinned(pinned);
        return undefined;
      },
    },
    target: () =>
      browserWindow !== null && !browserWindow.isDestroyed() ? browserWindow.webContents : null,
    log: (message, error) => log.error(message, { error: String(error) }),
  });
  gateway.start();

  talk = new TalkController({
    handlers: appCore.handlers,
    initialMode: settings.mode,
    emit: (event) => gateway.send(event),
    log: (message, error) => log.warn(message, { error: String(error) }),
  });

  const sizeFile = path.join(dataDir, WINDOW_STATE_FILE);
  const tray = new TrayService<Menu>({
    createTray: (icon) => new Tray(icon),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    iconsDir,
    platform,
    systemLocale: app.getLocale(),
    onClick: () => chatWindow?.toggle(),
    onAction: (action) => onTrayAction(action),
  });
  tray.update(trayState);

  const screenSnapshot = (): ScreenSnapshot => ({
    trayBounds: tray.bounds(),
    displays: screen.getAllDisplays(),
    cursor: screen.getCursorScreenPoint(),
  });
  chatWindow = new ChatWindow({
    create: (options) =>
      (browserWindow = new BrowserWindow({
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
    preloadPath: path.join(appRoot, 'dist', 'preload', 'index.cjs'),
    iconPath: path.join(iconsDir, 'app-256.png'),
    initialSize: loadWindowSize(sizeFile),
    saveSize: (size) => saveWindowSize(sizeFile, size),
    screen: screenSnapshot,
    clock: systemClock,
    onPageLoading: () => gateway.markNotReady(),
    onLoadFailed: (error) => log.error('window failed to load', { error: String(error) }),
    showWhenReady: !startsHidden({
      flags: launchFlags,
      openedAtLogin: platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin,
    }),
  });

  appCore.onEvent((event) => {
    gateway.send(event);
    talk?.observe(event);
    trayState = trayState === null ? null : reduceTrayState(trayState, event);
    if (trayState !== null) tray.update(trayState);
    if (event.type === 'settingsChanged') {
      hotkeys.apply(event.settings.hotkeys);
      applyStartAtLogin(event.settings);
    }
  });

  const stopWakeWatch = watchWakeups({
    powerMonitor,
    isOnline: () => net.isOnline(),
    clock: systemClock,
    onWake: (reason) => {
      log.info('wake', { reason });
      appCore.nudge();
    },
  });

  function onTrayAction(action: TrayAction): void {
    const run = (promise: Promise<unknown> | unknown) =>
      Promise.resolve(promise).catch((error: unknown) =>
        log.warn('tray action failed', { action, error: String(error) }),
      );
    switch (action) {
      case 'open':
        chatWindow?.show();
        return;
      case 'settings':
        chatWindow?.show();
        gateway.send({ type: 'viewRequested', view: 'settings' });
        return;
      case 'talk':
        talk?.toggle();
        return;
      case 'mode:manual':
      case 'mode:auto':
      case 'mode:realtime':
        void run(appCore.handlers['session:setMode']({ mode: action.slice(5) as ListenMode }));
        return;
      case 'connect':
        void run(appCore.handlers['session:connect'](undefined));
        return;
      case 'disconnect':
        void run(appCore.handlers['session:disconnect'](undefined));
        return;
      case 'quit':
        app.quit();
        return;
    }
  }

  function applyStartAtLogin(current: Settings): void {
    if (current.startAtLogin === lastStartAtLogin) return;
    lastStartAtLogin = current.startAtLogin;
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
  }

  app.on('before-quit', () => chatWindow?.markQuitting());
  let shutDown = false;
  app.on('will-quit', (event) => {
    if (shutDown) return;
    event.preventDefault();
    shutDown = true;
    stopWakeWatch();
    hotkeys.stop();
    globalShortcut.unregisterAll();
    gateway.stop();
    tray.destroy();
    const timeout = new Promise((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS));
    void Promise.race([appCore.close(), timeout])
      .catch((error: unknown) => log.error('core close failed', { error: String(error) }))
      .finally(() => app.quit());
  });

  running = {
    secondLaunch: (flags) => {
      if (flags.toggleTalk) talk?.toggle();
      else chatWindow?.show();
    },
  };
  if (launchFlags.toggleTalk) talk.toggle();
  for (const flags of earlyLaunches.splice(0)) running.secondLaunch(flags);
}
