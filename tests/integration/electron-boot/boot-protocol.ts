/**
 * The control channel between the boot test and the app process it runs: the test asks, the
 * fake Electron inside the app answers, over the child's IPC channel (`serialization:
 * 'advanced'`, so payloads keep their structure), plus the environment the fake reads.
 */

/** Where the fake Electron takes its paths from (set by the test in the child's environment). */
export const FAKE_ENV = {
  /** `app.getAppPath()`: the folder holding package.json, dist/ and resources/. */
  appPath: 'LUMI_FAKE_APP_PATH',
  /** `app.getPath('userData')`; logs go to its logs/ folder. */
  userData: 'LUMI_FAKE_USER_DATA',
  /** `app.getPath('home')`. */
  home: 'LUMI_FAKE_HOME',
  /** "1": another instance holds the single-instance lock. */
  lockHeld: 'LUMI_FAKE_LOCK_HELD',
} as const;

/** What the test asks the app process. */
export type ControlRequest =
  /** Calls the ipcMain handler of `channel` as the window's main frame (or `frameUrl`) would. */
  | {
      readonly kind: 'invoke';
      readonly channel: string;
      readonly payload: unknown;
      readonly frameUrl?: string;
    }
  /** Calls the `app:` protocol handler with a GET of `url`. */
  | { readonly kind: 'fetch'; readonly url: string }
  /** Clicks the tray menu item labelled `label` (searched through submenus). */
  | { readonly kind: 'clickMenu'; readonly label: string }
  /** Emits `second-instance` on the app, as a later launch would. */
  | { readonly kind: 'secondInstance'; readonly argv: readonly string[]; readonly data: unknown }
  /** Reports what Electron was asked to do so far. */
  | { readonly kind: 'inspect' }
  /**
   * A permission request from the page of window `window` (by creation order) to the default
   * session (`partition: null`) or a partition's handler; answers whether it was granted.
   */
  | {
      readonly kind: 'askPermission';
      readonly partition: string | null;
      readonly window: number;
      readonly permission: string;
      readonly mediaTypes?: string[];
    };

export type ControlRequestMessage = ControlRequest & { readonly id: number };

export interface FetchedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WindowRecord {
  readonly url: string | null;
  /** `webPreferences.partition`; null for the default session. */
  readonly partition: string | null;
  /** `show` as created (false: hidden until main shows it). */
  readonly show: boolean;
  readonly preload: string | null;
  readonly sandbox: boolean | null;
  readonly contextIsolation: boolean | null;
  readonly nodeIntegration: boolean | null;
  readonly visible: boolean;
  readonly showCount: number;
  /** `lockDownWebContents` ran on it: a window-open handler and a will-navigate listener. */
  readonly windowOpenHandler: boolean;
  readonly navigateListeners: number;
}

export interface TrayRecord {
  readonly image: string;
  readonly tooltip: string | null;
  readonly menuLabels: readonly string[];
  readonly destroyed: boolean;
}

/** What Electron was asked to do, as the fake saw it. */
export interface BootRecord {
  readonly privilegedSchemes: readonly string[];
  readonly protocolHandlers: readonly string[];
  readonly ipcChannels: readonly string[];
  /** Channels main listens on with `ipcMain.on` (the camera page's). */
  readonly ipcListenerChannels: readonly string[];
  readonly windows: readonly WindowRecord[];
  readonly trays: readonly TrayRecord[];
  readonly shortcuts: readonly string[];
  /** Whether the session's permission check handler grants `media`; null when none is set. */
  readonly permissionCheck: boolean | null;
  readonly singleInstanceData: unknown;
  readonly openedLinks: readonly string[];
  /** Every save dialog main opened: the path it offered, and whether it had a parent window. */
  readonly saveDialogs: readonly { readonly defaultPath: string | null; readonly modal: boolean }[];
  /** Every desktopCapturer.getSources: the size asked for, and whether a Lumi window showed. */
  readonly screenCaptures: readonly {
    readonly width: number;
    readonly height: number;
    readonly windowVisible: boolean;
  }[];
}

export type ControlReply =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** What the app process tells the test. */
export type ChildMessage =
  | ({ readonly kind: 'reply'; readonly id: number } & ControlReply)
  /** `webContents.send` to the window. */
  | { readonly kind: 'sent'; readonly channel: string; readonly payload: unknown }
  /** A window's page at this URL is ready to show (start() has run through by then). */
  | { readonly kind: 'loaded'; readonly url: string }
  /** `app.quit()` went through (nothing prevented it); the process exits next. */
  | { readonly kind: 'quitting'; readonly record: BootRecord };
