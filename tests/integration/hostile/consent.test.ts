/**
 * Hostile-server tier, consent and notices (issue 11, findings 9–12): the real reference server
 * drives the real app core (and the real browser preview host) the way a hostile server or a
 * local attacker would, and each test checks that what reaches the user stays trustworthy and
 * bounded.
 *
 * - 5 000 `self.notify` and 5 000 ask-tool calls in one burst: at most the notification limit is
 *   shown, exactly one prompt opens, every other ask is answered "busy".
 * - A look-alike host in `self.system.open_url`: the prompt shows the whole host.
 * - The preview bridge: a local process claiming the page's origin gets 401 without the secret.
 * - Profiles export with secrets: written by main to a 0600 file, never in an IPC reply.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, ToolPrompt } from '../../../shared/ipc.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { SECRETS_EXPORT_NAME } from '../../../main/core/app/handlers/profiles.ts';
import {
  NOTIFICATION_BURST,
  NOTIFICATION_WINDOW_MS,
} from '../../../main/core/app/notifications.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import {
  BRIDGE_PATH,
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PARAM,
  BRIDGE_SECRET_PROTOCOL_PREFIX,
  type BridgeReply,
} from '../../../main/preview/bridge-protocol.ts';
import { startPreview, type Preview } from '../../../main/preview/start-preview.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

/** The burst of the finding: 5 000 calls of each tool. */
const FLOOD = 5_000;
/** 10 000 calls through the socket, the MCP server and the history: generous on a slow CI box. */
const FLOOD_TIMEOUT_MS = 120_000;

let server: ReferenceServer | null = null;
const cores: LumiCore[] = [];
const previews: Preview[] = [];

afterEach(async () => {
  for (const preview of previews.splice(0)) await preview.close();
  for (const core of cores.splice(0)) await core.close();
  await server?.stop();
  server = null;
});

/** The app core as the preview wires it, with every notification shown counted. */
async function startCore(url: string) {
  const events: AppEvent[] = [];
  const shown: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-hostile-consent-'));
  const core = await createAppCore({
    dataDir,
    appVersion: '0.1.0',
    platform: 'linux',
    secretCipher: null,
    plaintextSecrets: true,
    desktop: (app) => {
      const desktop = new NodeDesktopCapabilities({ app });
      desktop.events.on('notificationShown', ({ title }) => shown.push(`tool: ${title}`));
      return desktop;
    },
    // Hidden, so every kind of notification the rules allow is shown.
    isWindowVisible: () => false,
    notify: (title, body) => shown.push(`app: ${title}: ${body}`),
    chooseExportFile: (name) => Promise.resolve(join(dataDir, name)),
    holdToTalkAvailable: false,
    hotkeyProblems: () => [],
    webSocketUrl: url,
  });
  cores.push(core);
  core.onEvent((event) => events.push(event));
  await core.handlers['session:connect'](undefined);
  return { core, events, shown, dataDir };
}

function prompted(events: readonly AppEvent[]): ToolPrompt[] {
  return events.flatMap((e) => (e.type === 'toolPrompted' ? [e.prompt] : []));
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The text of a tools/call result (the reference server resolves with the JSON-RPC result). */
function resultText(result: unknown): { isError: boolean; text: string } {
  const { isError, content } = result as { isError: boolean; content: { text: string }[] };
  return { isError, text: content[0]?.text ?? '' };
}

describe('a server flooding tool calls', () => {
  it(
    'gets at most the notification limit shown, one open prompt, and "busy" for every other ask',
    async () => {
      server = await startReferenceServer();
      const { core, events, shown } = await startCore(server.url);
      await server.waitForTools();
      const started = Date.now();
      const notifies: Promise<unknown>[] = [];
      const asks: Promise<unknown>[] = [];
      for (let i = 0; i < FLOOD; i += 1) {
        notifies.push(server.callTool('self.notify', { title: `spam ${i}` }, FLOOD_TIMEOUT_MS));
        asks.push(server.callTool('self.clipboard.get_text', {}, FLOOD_TIMEOUT_MS));
      }
      const notified = (await Promise.all(notifies)).map(resultText);
      await until(() => prompted(events).length > 0);
      // Every ask but the one on screen is answered at once, without waiting for the user.
      const settled = await Promise.all(asks.slice(1).map((ask) => ask.then(resultText)));
      const elapsed = Date.now() - started;

      // The pointer to the open prompt is the one notification outside the limit.
      const pointer = shown.filter((s) => s.startsWith('app: Lumi asks'));
      const limited = shown.filter((s) => !s.startsWith('app: Lumi asks'));
      expect(pointer).toHaveLength(1);
      const windows = 1 + Math.floor(elapsed / NOTIFICATION_WINDOW_MS);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited.length).toBeLessThanOrEqual(NOTIFICATION_BURST * windows);
      expect(notified.filter((r) => !r.isError)).toHaveLength(
        shown.filter((s) => s.startsWith('tool:')).length,
      );
      expect(notified.filter((r) => r.isError).every((r) => r.text.startsWith('Not shown'))).toBe(
        true,
      );

      const open = prompted(events);
      expect(open).toHaveLength(1);
      expect(core.snapshot()).toBeDefined();
      expect(settled.every((r) => r.isError && r.text.startsWith('Busy'))).toBe(true);
      expect(settled).toHaveLength(FLOOD - 1);

      // The one question still works: the user's answer reaches its call.
      await core.handlers['tools:answer']({ id: open[0]!.id, allow: false });
      expect(resultText(await asks[0])).toEqual({
        isError: true,
        text: 'The user did not allow self.clipboard.get_text',
      });
    },
    FLOOD_TIMEOUT_MS,
  );

  it('shows a repeated alert once and a burst of different alerts within the limit', async () => {
    server = await startReferenceServer({ mcp: false });
    const { events, shown } = await startCore(server.url);
    await until(() =>
      events.some((e) => e.type === 'connectionChanged' && e.next.kind === 'ready'),
    );
    for (let i = 0; i < 200; i += 1) {
      server.push({ type: 'alert', status: 'ERROR', message: '设备未绑定', emotion: 'sad' });
    }
    for (let i = 0; i < 200; i += 1) {
      server.push({ type: 'alert', status: 'ERROR', message: `告警 ${i}`, emotion: 'sad' });
    }
    await until(() => events.filter((e) => e.type === 'alertReceived').length === 400);
    expect(shown.filter((s) => s.includes('设备未绑定'))).toHaveLength(1);
    expect(shown.length).toBeLessThanOrEqual(NOTIFICATION_BURST);
  });
});

describe('a look-alike link', () => {
  it('is asked about with its whole host in the prompt', async () => {
    server = await startReferenceServer();
    const { events } = await startCore(server.url);
    await server.waitForTools();
    const host = 'www.paypal.com.account-security-check.example';
    const call = server.callTool('self.system.open_url', {
      url: `https://${host}/cgi-bin/webscr/${'a'.repeat(100)}?cmd=login&token=abc`,
    });
    await until(() => prompted(events).length > 0);
    const [prompt] = prompted(events);
    expect(prompt!.summary).toContain(`https://${host}/cgi-bin/webscr/`);
    expect(prompt!.summary).not.toContain('token=abc');
    await cores[0]!.handlers['tools:answer']({ id: prompt!.id, allow: false });
    expect(resultText(await call).isError).toBe(true);
  });
});

/** A renderer build reduced to what the preview host checks: a policy and a module script. */
function minimalRenderer(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lumi-renderer-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'; connect-src 'none'"></head><body><script type="module" src="/assets/app.js"></script></body></html>`,
  );
  writeFileSync(join(dir, 'assets', 'app.js'), '');
  return dir;
}

/** A local process opening the bridge as the preview's own page would, claiming its origin. */
function openBridge(
  preview: Preview,
  secret: string | null,
): Promise<{ status: number; socket: WebSocket | null }> {
  const protocols =
    secret === null ? [] : [BRIDGE_PROTOCOL, `${BRIDGE_SECRET_PROTOCOL_PREFIX}${secret}`];
  const origin = `http://127.0.0.1:${preview.port}`;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${preview.port}${BRIDGE_PATH}`, protocols, {
      origin,
    });
    socket.once('open', () => resolve({ status: 101, socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode ?? 0, socket: null });
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

function call(socket: WebSocket, id: number, channel: string): Promise<BridgeReply> {
  return new Promise((resolve) => {
    socket.on('message', function onMessage(data) {
      const message = JSON.parse(String(data)) as BridgeReply;
      if (message.id !== id) return;
      socket.off('message', onMessage);
      resolve(message);
    });
    socket.send(JSON.stringify({ id, channel }));
  });
}

describe('the browser preview against a local attacker', () => {
  it('refuses the bridge without its secret, and never sends secrets over it', async () => {
    server = await startReferenceServer({ mcp: false });
    const logged: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'lumi-hostile-preview-'));
    const preview = await startPreview({
      url: server.url,
      port: 0,
      dataDir,
      rendererDir: minimalRenderer(),
      log: (line) => logged.push(line),
    });
    previews.push(preview);
    const secret = new URLSearchParams(new URL(preview.url).hash.slice(1)).get(BRIDGE_SECRET_PARAM);
    expect(secret).toMatch(/^[\w-]{43}$/);

    expect((await openBridge(preview, null)).status).toBe(401);
    expect((await openBridge(preview, 'x'.repeat(43))).status).toBe(401);
    expect(logged.filter((line) => line.includes('bridge connection refused'))).toHaveLength(2);

    const [profile] = await preview.core.handlers['profiles:list'](undefined);
    const token = 'hostile-preview-token-91c3';
    await preview.core.handlers['profiles:save']({ profile: profile!, token });
    const { status, socket } = await openBridge(preview, secret);
    expect(status).toBe(101);
    const plain = await call(socket!, 1, 'profiles:export');
    const full = await call(socket!, 2, 'profiles:exportSecrets');
    socket!.close();
    expect(plain.response.ok).toBe(true);
    expect(JSON.stringify(plain)).not.toContain(token);
    expect(full.response).toEqual({
      ok: true,
      value: { saved: true, path: join(dataDir, SECRETS_EXPORT_NAME) },
    });
    expect(JSON.stringify(full)).not.toContain(token);
    const file = join(dataDir, SECRETS_EXPORT_NAME);
    expect(readFileSync(file, 'utf8')).toContain(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
