/**
 * The browser preview host itself: the page it serves (bridge script first, the renderer's
 * policy with only the bridge socket added), who may open the bridge, how refusals cross it,
 * and its command line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import {
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PROTOCOL_PREFIX,
} from '../../main/preview/bridge-protocol.ts';
import { startPreview } from '../../main/preview/start-preview.ts';
import { RENDERER_VARIABLE } from './global-setup.ts';
import { expect, test } from './fixtures.ts';

const HOST_SCRIPT = fileURLToPath(new URL('../../main/preview/host.ts', import.meta.url));
const EXIT_USAGE = 2;

/** Resolves with the HTTP status the bridge upgrade was answered with (101 when accepted). */
function upgradeStatus(url: string, origin: string, secret: string | null): Promise<number> {
  const protocols =
    secret === null ? [] : [BRIDGE_PROTOCOL, `${BRIDGE_SECRET_PROTOCOL_PREFIX}${secret}`];
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols, { origin });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

test('the page gets the bridge script before the app and the renderer policy with the bridge allowed', async ({
  preview,
}) => {
  const response = await fetch(preview.url);
  const html = await response.text();
  const header = response.headers.get('content-security-policy') ?? '';
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];

  expect(meta).toBe(header);
  expect(header).toContain(`connect-src ws://127.0.0.1:${preview.port}`);
  expect(header).toContain("script-src 'self'");
  expect(header).not.toContain("'unsafe-inline'");
  expect(header).not.toContain("connect-src 'none'");
  const bridgeAt = html.indexOf('<script src="/lumi-bridge.js"></script>');
  expect(bridgeAt).toBeGreaterThan(0);
  expect(bridgeAt).toBeLessThan(html.indexOf('<script type="module"'));
});

test('only a page of the preview itself, knowing the secret, may open the bridge', async ({
  preview,
}) => {
  const bridge = `ws://127.0.0.1:${preview.port}/lumi-bridge`;
  const own = `http://127.0.0.1:${preview.port}`;
  const secret = new URL(preview.url).hash.replace('#token=', '');
  expect(secret).toMatch(/^[\w-]{43}$/);
  expect(await upgradeStatus(bridge, 'http://evil.example', secret)).toBe(403);
  expect(await upgradeStatus(bridge, `http://localhost:${preview.port}`, secret)).toBe(403);
  // A local process can claim the preview's own origin; without the secret it still gets nothing.
  expect(await upgradeStatus(bridge, own, null)).toBe(401);
  expect(await upgradeStatus(bridge, own, `${secret.slice(1)}x`)).toBe(401);
  expect(await upgradeStatus(bridge, own, secret)).toBe(101);
});

test('a page opened without the secret gets no bridge', async ({ page, preview }) => {
  await page.goto(new URL('/', preview.url).href);
  const settings = await page.evaluate(() =>
    Promise.race([
      window.lumi.getSettings(),
      new Promise((resolve) => setTimeout(() => resolve('no answer'), 1_000)),
    ]),
  );
  expect(settings).not.toMatchObject({ ok: true });
});

test('window.lumi is read-only and refusals arrive as results with their codes', async ({
  lumi: page,
}) => {
  const outcome = await page.evaluate(async () => {
    const descriptor = Object.getOwnPropertyDescriptor(window, 'lumi');
    const unknownProfile = await window.lumi.activateProfile('no-such-profile');
    const emptyText = await window.lumi.sendText('');
    const settings = await window.lumi.getSettings();
    return {
      writable: descriptor?.writable,
      frozen: Object.isFrozen(window.lumi),
      unknownProfile,
      emptyText,
      settingsOk: settings.ok,
    };
  });
  expect(outcome.writable).toBe(false);
  expect(outcome.frozen).toBe(true);
  expect(outcome.settingsOk).toBe(true);
  // A HandlerError keeps its code; a request failing its schema is refused before the core.
  expect(outcome.unknownProfile).toMatchObject({ ok: false, code: 'unknownProfile' });
  expect(outcome.emptyText).toMatchObject({ ok: false, code: 'bad_request' });
});

test('a page whose host restarted on the same data folder reconnects and draws itself again', async ({
  page,
  server,
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-preview-restart-'));
  const options = { url: server.url, dataDir, rendererDir: process.env[RENDERER_VARIABLE] };
  const first = await startPreview({ ...options, port: 0 });
  await page.goto(first.url);
  await expect(page.getByTestId('status-pill')).toBeVisible();
  await page.evaluate(() => {
    (window as unknown as { beforeRestart: boolean }).beforeRestart = true;
  });
  await first.close();
  // The secret is kept in the data folder: the page's fragment still opens the bridge.
  const again = await startPreview({ ...options, port: first.port });
  expect(again.url).toBe(first.url);
  try {
    // The bridge reloads the page once the host is back: the old window state is gone.
    await page.waitForFunction(() => !('beforeRestart' in window));
    await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'initial');
    const settings = await page.evaluate(() => window.lumi.getSettings());
    expect(settings.ok).toBe(true);
  } finally {
    await again.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the host command line refuses bad arguments with exit code 2', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', HOST_SCRIPT, ...args], {
      encoding: 'utf8',
    });
  const missing = run();
  expect(missing.status).toBe(EXIT_USAGE);
  expect(missing.stderr).toContain('--url <ws-url> is required');
  const wrongScheme = run('--url', 'http://127.0.0.1:8000/');
  expect(wrongScheme.status).toBe(EXIT_USAGE);
  expect(wrongScheme.stderr).toContain('ws:// or wss://');
  expect(run('--url', 'ws://127.0.0.1:9/', '--port', '70000').status).toBe(EXIT_USAGE);
});
