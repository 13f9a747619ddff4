/**
 * One Lumi per user. A second launch hands its flags to the running instance and quits, which
 * makes `lumi --toggle-talk` a hotkey target for desktops where global hotkeys cannot work
 * (Wayland compositors bind it to a key themselves).
 */

export interface LaunchFlags {
  /** Start or stop talking in the running instance. */
  readonly toggleTalk: boolean;
  /** Start without showing the window (autostart). */
  readonly hidden: boolean;
}

export const TOGGLE_TALK_FLAG = '--toggle-talk';
export const HIDDEN_FLAG = '--hidden';

/** The flags in a command line (Electron and Chromium switches are ignored). */
export function parseLaunchFlags(argv: readonly string[]): LaunchFlags {
  return { toggleTalk: argv.includes(TOGGLE_TALK_FLAG), hidden: argv.includes(HIDDEN_FLAG) };
}

/** Whether `data` is LaunchFlags as a second instance sent them. */
function isLaunchFlags(data: unknown): data is LaunchFlags {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return typeof record.toggleTalk === 'boolean' && typeof record.hidden === 'boolean';
}

/** The part of Electron's `app` the lock uses. */
export interface SingleInstanceApp {
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
  on(
    event: 'second-instance',
    listener: (
      event: unknown,
      argv: string[],
      workingDirectory: string,
      additionalData: unknown,
    ) => void,
  ): unknown;
}

/**
 * Takes the single-instance lock, sending this launch's flags along. Returns false when another
 * instance holds it (this one should quit). Later launches reach `onSecondLaunch`.
 */
export function acquireSingleInstance(
  app: SingleInstanceApp,
  flags: LaunchFlags,
  onSecondLaunch: (flags: LaunchFlags) => void,
): boolean {
  // The flags travel as additionalData: Chromium may reorder or extend the argv it forwards.
  if (!app.requestSingleInstanceLock({ ...flags })) return false;
  app.on('second-instance', (_event, argv, _cwd, additionalData) => {
    onSecondLaunch(isLaunchFlags(additionalData) ? additionalData : parseLaunchFlags(argv));
  });
  return true;
}

export interface StartupContext {
  readonly flags: LaunchFlags;
  /** macOS: launched as a login item (`app.getLoginItemSettings().wasOpenedAtLogin`). */
  readonly openedAtLogin: boolean;
}

/** Whether the window stays hidden at start: autostart, `--hidden`, or a `--toggle-talk` launch. */
export function startsHidden(context: StartupContext): boolean {
  return context.flags.hidden || context.flags.toggleTalk || context.openedAtLogin;
}
