/**
 * The browser preview's bridge over a real WebSocket: the same dispatcher as the Electron
 * gateway (schema check, Result replies, events held until `app:ready`), with the window's own
 * channels answered by the bridge, since the core's table has none. Only a page offering the
 * bridge secret as a subprotocol gets a socket.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppEvent, IpcChannel, Snapshot } from '../../../shared/ipc.ts';
import { HandlerError, type AppCore, type AppHandlers } from '../../../main/core/app/handlers.ts';
import { IPC_CHANNELS } from '../../../main/core/app/ipc-requests.ts';
import { Emitter } from '../../../main/core/util/emitter.ts';
import {
  BRIDGE_PROTOCOL,
  BRIDGE_SECRET_PROTOCOL_PREFIX,
  type BridgeReply,
  type HostMessage,
} from '../../../main/preview/bridge-protocol.ts';
import {
  BRIDGE_SECRET_FILE,
  loadBridgeSecret,
  secretMatches,
} from '../../../main/preview/bridge-secret.ts';
import { BridgeServer } from '../../../main/preview/bridge-server.ts';
import { settings } from '../electron/fixtures.ts';

const snapshot = { appVersion: '0.1.0' } as unknown as Snapshot;

/** A core whose handler table answers a few channels; the test pushes its events. */
function fakeCore(): AppCore & { push(event: AppEvent): void } {
  const events = new Emitter<{ event: (event: AppEvent) => void }>();
  const unused = () => {
    throw new Error('not used in this test');
  };
  const appChannels = IPC_CHANNELS.filter((channel) => !channel.startsWith('window:'));
  const all = Object.fromEntries(appChannels.map((c) => [c, unused])) as unknown as AppHandlers;
  return {
    handlers: {
      ...all,
      'app:ready': () => snapshot,
      'settings:get': () => settings,
      'session:sendText': () => {
        throw new HandlerError('outbox_full', { code: 'outboxFull' });
      },
    },
    onEvent: (listener) => events.on('event', listener),
    close: async () => undefined,
    push: (event) => events.emit('event', event),
  };
}

/** One page's socket: sends calls, collects everything the host sends, in order. */
class Page {
  readonly received: HostMessage[] = [];
  readonly socket: WebSocket;
  #nextId = 1;
  constructor(url: string, secret: string) {
    this.socket = new WebSocket(url, [
      BRIDGE_PROTOCOL,
      `${BRIDGE_SECRET_PROTOCOL_PREFIX}${secret}`,
    ]);
    this.socket.on('message', (data) => this.received.push(JSON.parse(String(data))));
  }
  opened(): Promise<void> {
    return new Promise((resolve) => this.socket.once('open', () => resolve()));
  }
  async call(channel: IpcChannel | string, request?: unknown): Promise<BridgeReply['response']> {
    const id = this.#nextId++;
    this.socket.send(JSON.stringify({ id, channel, request }));
    for (;;) {
      const reply = this.received.find((m): m is BridgeReply => 'id' in m && m.id === id);
      if (reply) return reply.response;
      await new Promise((resolve) => this.socket.once('message', resolve));
    }
  }
  events(): AppEvent[] {
    return this.received.flatMap((m) => ('event' in m ? [m.event] : []));
  }
}

let server: Server | null = null;
let bridge: BridgeServer | null = null;

afterEach(async () => {
  bridge?.close();
  const running = server;
  if (running) await new Promise((resolve) => running.close(resolve));
  server = bridge = null;
});

async function setup() {
  const core = fakeCore();
  const logged: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-bridge-'));
  const secret = loadBridgeSecret(dataDir);
  bridge = new BridgeServer(core, (line) => logged.push(line), secret);
  const host = bridge;
  server = createServer();
  server.on('upgrade', (req, socket, head) => host.upgrade(req, socket, head));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const open = async (offered = secret) => {
    const page = new Page(url, offered);
    await page.opened();
    return page;
  };
  return { core, open, logged, url, secret, dataDir };
}

/** The HTTP status an upgrade with these subprotocols is answered with (101 when accepted). */
function upgradeStatus(url: string, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, protocols);
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

describe('the bridge secret', () => {
  it('refuses an upgrade without the secret or with a wrong one (401), and serves the right one', async () => {
    const { url, secret, open, logged } = await setup();
    expect(await upgradeStatus(url, [])).toBe(401);
    expect(await upgradeStatus(url, [BRIDGE_PROTOCOL])).toBe(401);
    const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(
      await upgradeStatus(url, [BRIDGE_PROTOCOL, `${BRIDGE_SECRET_PROTOCOL_PREFIX}${wrong}`]),
    ).toBe(401);
    expect(await upgradeStatus(url, [BRIDGE_PROTOCOL, `${BRIDGE_SECRET_PROTOCOL_PREFIX}`])).toBe(
      401,
    );
    expect(logged.filter((line) => line.includes('no valid bridge secret'))).toHaveLength(4);
    const page = await open();
    expect(page.socket.protocol).toBe(BRIDGE_PROTOCOL);
    expect(await page.call('settings:get')).toEqual({ ok: true, value: settings });
  });

  it('is made once per data folder, kept 0600, and read back after a restart', async () => {
    const { secret, dataDir } = await setup();
    expect(secret).toMatch(/^[\w-]{43}$/);
    expect(statSync(join(dataDir, BRIDGE_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(loadBridgeSecret(dataDir)).toBe(secret);
    const elsewhere = loadBridgeSecret(mkdtempSync(join(tmpdir(), 'lumi-bridge-')));
    expect(elsewhere).not.toBe(secret);
  });

  it('compares whole secrets only', () => {
    expect(secretMatches('abc', 'abc')).toBe(true);
    expect(secretMatches('abc', 'abcd')).toBe(false);
    expect(secretMatches('abc', '')).toBe(false);
    expect(secretMatches('abc', null)).toBe(false);
  });
});

describe('BridgeServer', () => {
  it('answers the window channels itself and the rest through the core', async () => {
    const { open } = await setup();
    const page = await open();
    expect(await page.call('window:hide')).toEqual({ ok: true });
    expect(await page.call('window:setPinned', { pinned: true })).toEqual({ ok: true });
    expect(await page.call('settings:get')).toEqual({ ok: true, value: settings });
  });

  it('refuses malformed requests and unknown channels, and keeps a HandlerError code', async () => {
    const { open } = await setup();
    const page = await open();
    expect(await page.call('window:setPinned', { pinned: 'yes' })).toMatchObject({
      ok: false,
      code: 'bad_request',
    });
    expect(await page.call('shell:exec', {})).toMatchObject({
      ok: false,
      code: 'bad_request',
      problem: { code: 'badRequest', channel: 'shell:exec' },
    });
    expect(await page.call('session:sendText', { text: 'hi' })).toEqual({
      ok: false,
      code: 'outbox_full',
      problem: { code: 'outboxFull' },
      message: 'Too many messages are already waiting to be sent.',
    });
  });

  it('holds events until a page says app:ready, sends them ahead of the reply, and holds them again when the last page closes', async () => {
    const { core, open } = await setup();
    const first: AppEvent = { type: 'modeChanged', mode: 'auto' };
    core.push(first);
    const page = await open();
    const second: AppEvent = { type: 'userTranscribed', text: 'hello' };
    core.push(second);
    await page.call('settings:get');
    expect(page.events()).toEqual([]);

    const before = page.received.length;
    await page.call('app:ready');
    expect(page.received.slice(before)).toEqual([
      { event: first },
      { event: second },
      { id: 2, response: { ok: true, value: snapshot } },
    ]);

    page.socket.close();
    // The host has let go of the page once its socket server no longer tracks it.
    while (bridge!.openPages > 0) await new Promise((resolve) => setImmediate(resolve));
    const third: AppEvent = { type: 'playbackDrained' };
    core.push(third);
    const reloaded = await open();
    const fourth: AppEvent = { type: 'modeChanged', mode: 'manual' };
    core.push(fourth);
    await reloaded.call('settings:get');
    expect(reloaded.events()).toEqual([]);
    await reloaded.call('app:ready');
    expect(reloaded.events()).toEqual([third, fourth]);
  });
});
