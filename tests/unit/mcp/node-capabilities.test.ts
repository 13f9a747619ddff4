/**
 * NodeDesktopCapabilities with real processes: the clipboard tools are stand-in scripts on a
 * temporary PATH that behave like xclip and wl-copy (including xclip's habit of leaving a
 * child behind that holds the parent's stdio open).
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CapabilityUnavailableError,
  type AppControls,
} from '../../../main/core/mcp/capabilities.ts';
import { findClipboardCommands } from '../../../main/core/mcp/node-clipboard.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';

const app: AppControls = {
  getVolume: () => Promise.resolve(40),
  setVolume: () => Promise.resolve(),
  getMode: () => Promise.resolve('auto'),
  setMode: () => Promise.resolve(),
  status: () => Promise.resolve({ connection: 'ready', appVersion: '0.1.0', os: 'linux' }),
};

/** Reads print the store; writes fill it, then leave a sleeping child holding stderr open. */
const FAKE_CLIPBOARD = `#!/bin/sh
echo "$0 $*" >> "$CLIP_STORE.log"
for arg in "$@"; do
  if [ "$arg" = "-o" ] || [ "$arg" = "--no-newline" ] || [ "\${0##*/}" = "wl-paste" ]; then
    if [ ! -f "$CLIP_STORE" ]; then echo "Error: target STRING not available" >&2; exit 1; fi
    exec /bin/cat "$CLIP_STORE"
  fi
done
/bin/cat > "$CLIP_STORE"
/bin/sleep 30 &
echo $! >> "$CLIP_STORE.pids"
exit 0
`;

let dir = '';
let store = '';

async function install(...names: string[]): Promise<void> {
  for (const name of names) {
    const file = join(dir, name);
    await writeFile(file, FAKE_CLIPBOARD);
    await chmod(file, 0o755);
  }
}

function desktop(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = 'linux',
): NodeDesktopCapabilities {
  return new NodeDesktopCapabilities({
    app,
    env: { PATH: dir, CLIP_STORE: store, ...env },
    platform,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lumi-clip-'));
  store = join(dir, 'store');
});

afterEach(async () => {
  const pids = await readFile(`${store}.pids`, 'utf8').catch(() => '');
  for (const pid of pids.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid));
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

describe('NodeDesktopCapabilities clipboard', () => {
  it('writes and reads through xclip on X11, without waiting for its lingering child', async () => {
    await install('xclip');
    const caps = desktop({ DISPLAY: ':0' });
    await caps.writeClipboard('héllo 世界');
    expect(await readFile(store, 'utf8')).toBe('héllo 世界');
    expect(await caps.readClipboard()).toBe('héllo 世界');
    const log = await readFile(`${store}.log`, 'utf8');
    expect(log).toContain('xclip -selection clipboard\n');
    expect(log).toContain('xclip -selection clipboard -o\n');
  });

  it('prefers wl-copy and wl-paste on Wayland', async () => {
    await install('xclip', 'wl-copy', 'wl-paste');
    const caps = desktop({ DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' });
    await caps.writeClipboard('wayland');
    expect(await caps.readClipboard()).toBe('wayland');
    const log = await readFile(`${store}.log`, 'utf8');
    expect(log).toMatch(/wl-copy \n/);
    expect(log).not.toContain('xclip');
  });

  it('reports the tool error when reading fails', async () => {
    await install('xclip');
    await expect(desktop({ DISPLAY: ':0' }).readClipboard()).rejects.toThrow(
      'xclip failed: Error: target STRING not available',
    );
  });

  it('is unavailable without a clipboard tool, or without a display for it', async () => {
    await expect(desktop({ DISPLAY: ':0' }).readClipboard()).rejects.toBeInstanceOf(
      CapabilityUnavailableError,
    );
    await install('xclip');
    await expect(desktop({}).writeClipboard('x')).rejects.toThrow(/clipboard is not available/);
    await expect(desktop({ DISPLAY: ':0' }, 'win32').readClipboard()).rejects.toBeInstanceOf(
      CapabilityUnavailableError,
    );
  });

  it('uses pbcopy and pbpaste on macOS', async () => {
    await install('pbcopy', 'pbpaste');
    expect(await findClipboardCommands({ PATH: dir }, 'darwin')).toEqual({
      read: { file: 'pbpaste', args: [] },
      write: { file: 'pbcopy', args: [] },
    });
  });
});

describe('NodeDesktopCapabilities notifications and links', () => {
  it('hands notifications and links to the front end', async () => {
    const caps = desktop({});
    const seen: unknown[] = [];
    caps.events.on('notificationShown', (notification) => seen.push(notification));
    caps.events.on('urlOpenRequested', (url) => seen.push(url));
    await caps.notify('Title', 'Body');
    await caps.openExternal('https://example.org/');
    expect(seen).toEqual([{ title: 'Title', body: 'Body' }, 'https://example.org/']);
  });

  it('reports them unavailable when no front end listens', async () => {
    const caps = desktop({});
    await expect(caps.notify('Title', 'Body')).rejects.toBeInstanceOf(CapabilityUnavailableError);
    await expect(caps.openExternal('https://example.org/')).rejects.toThrow(
      'This front end cannot open links',
    );
  });

  it('passes volume, mode and status through to the app', async () => {
    const caps = desktop({});
    expect(await caps.getVolume()).toBe(40);
    expect(await caps.getMode()).toBe('auto');
    expect((await caps.status()).connection).toBe('ready');
  });
});
