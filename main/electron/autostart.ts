/**
 * Start at login. macOS and Windows have Electron's login items; Linux desktops read XDG
 * autostart entries, which Electron does not write, so Lumi writes its own. Either way Lumi
 * starts hidden in the tray (`--hidden`, or `wasOpenedAtLogin` on macOS).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../core/store/safe-file.ts';
import { HIDDEN_FLAG } from './single-instance.ts';

export const AUTOSTART_FILE_NAME = 'lumi.desktop';

/** Where the XDG autostart entry lives: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`. */
export function linuxAutostartPath(env: NodeJS.ProcessEnv, home: string): string {
  const configHome =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(home, '.config');
  return path.join(configHome, 'autostart', AUTOSTART_FILE_NAME);
}

/**
 * The program to autostart: the AppImage file when running from one (its mount point changes at
 * every launch), else the executable itself.
 */
export function autostartExecutable(env: NodeJS.ProcessEnv, execPath: string): string {
  return env.APPIMAGE && path.isAbsolute(env.APPIMAGE) ? env.APPIMAGE : execPath;
}

/** Quotes one Exec argument as the Desktop Entry spec asks (double quotes, four escapes). */
function quoteExecArgument(argument: string): string {
  if (!/[\s"`$\\'<>~|&;*?#()]/.test(argument)) return argument;
  return `"${argument.replace(/(["`$\\])/g, '\\$1')}"`;
}

/** The autostart entry's text. */
export function linuxAutostartEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Lumi',
    'Comment=Voice assistant in the tray',
    `Exec=${quoteExecArgument(executable)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** The part of Electron's `app` used on macOS and Windows. */
export interface LoginItemApp {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface AutostartContext {
  readonly platform: NodeJS.Platform;
  readonly app: LoginItemApp;
  readonly env: NodeJS.ProcessEnv;
  readonly home: string;
  readonly execPath: string;
}

/** Turns start-at-login on or off. */
export function applyAutostart(enabled: boolean, context: AutostartContext): void {
  if (context.platform === 'linux') {
    const file = linuxAutostartPath(context.env, context.home);
    if (enabled) {
      const entry = linuxAutostartEntry(autostartExecutable(context.env, context.execPath));
      writeFileAtomic(file, entry, { dirMode: 0o755 });
    } else {
      rmSync(file, { force: true });
    }
    return;
  }
  // `args` reach the app on Windows; macOS reports the login launch as wasOpenedAtLogin.
  context.app.setLoginItemSettings({ openAtLogin: enabled, args: [HIDDEN_FLAG] });
}
