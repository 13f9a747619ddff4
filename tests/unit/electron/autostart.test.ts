import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyAutostart,
  autostartExecutable,
  linuxAutostartEntry,
  linuxAutostartPath,
} from '../../../main/electron/autostart.ts';

let home: string | null = null;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = null;
});

describe('autostart', () => {
  it('writes and removes the XDG autostart entry on Linux, starting hidden', () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'lumi-home-'));
    const context = {
      platform: 'linux' as const,
      app: { setLoginItemSettings: () => expect.unreachable('no login items on Linux') },
      env: {},
      home,
      execPath: '/opt/Lumi/lumi',
    };
    const file = path.join(home, '.config', 'autostart', 'lumi.desktop');
    applyAutostart(true, context);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/opt/Lumi/lumi --hidden\n');
    applyAutostart(false, context);
    expect(existsSync(file)).toBe(false);
    applyAutostart(false, context);
  });

  it('prefers the AppImage file and XDG_CONFIG_HOME', () => {
    expect(
      autostartExecutable({ APPIMAGE: '/home/u/Apps/Lumi.AppImage' }, '/tmp/.mount_x/lumi'),
    ).toBe('/home/u/Apps/Lumi.AppImage');
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe(
      '/cfg/autostart/lumi.desktop',
    );
    expect(linuxAutostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe(
      '/home/u/.config/autostart/lumi.desktop',
    );
  });

  it('quotes an executable path with spaces and shell characters', () => {
    expect(linuxAutostartEntry('/home/u/My Apps/Lumi $1.AppImage')).toContain(
      'Exec="/home/u/My Apps/Lumi \\$1.AppImage" --hidden',
    );
  });

  it('uses login items with --hidden on macOS and Windows', () => {
    const calls: unknown[] = [];
    const app = { setLoginItemSettings: (s: unknown) => calls.push(s) };
    applyAutostart(true, { platform: 'win32', app, env: {}, home: 'C:\\Users\\u', execPath: 'x' });
    applyAutostart(false, { platform: 'darwin', app, env: {}, home: '/Users/u', execPath: 'x' });
    expect(calls).toEqual([
      { openAtLogin: true, args: ['--hidden'] },
      { openAtLogin: false, args: ['--hidden'] },
    ]);
  });
});
