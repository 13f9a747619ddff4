import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionKind, ConnectionState } from '../../../shared/connection-state.ts';
import { Connection, type ConnectionOptions } from '../../../main/core/connection/connection.ts';
import { listenDetect } from '../../../main/core/protocol/client-messages.ts';
import type { InboundFrame } from '../../../main/core/protocol/parse.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

const DEVICE_ID = '02:4c:55:4d:49:01';
const CLIENT_ID = '5b2d3c0e-8f5a-4b7e-9a51-3d2f7c1e9b10';

let server: ReferenceServer | null = null;
const connections: Connection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.disconnect();
  await server?.stop();
  server = null;
});

async function start(
  knobs: Parameters<typeof startReferenceServer>[0] = {},
): Promise<ReferenceServer> {
  server = await startReferenceServer({ mcp: false, ...knobs });
  return server;
}

function connect(url: string, options: Partial<ConnectionOptions> = {}) {
  const connection = new Connection({
    url,
    token: null,
    deviceId: DEVICE_ID,
    clientId: CLIENT_ID,
    backoff: { firstDelayMs: 100, maxDelayMs: 400, maxAttempts: 5, slowRetryMs: 60_000 },
    ...options,
  });
  connections.push(connection);
  const states: ConnectionState[] = [];
  const frames: InboundFrame[] = [];
  connection.on('stateChanged', (_previous, next) => states.push(next));
  connection.on('frame', (frame) => frames.push(frame));
  connection.connect();
  return { connection, states, frames };
}

function waitForState(
  connection: Connection,
  kind: ConnectionKind,
  timeoutMs = 5_000,
): Promise<ConnectionState> {
  if (connection.state.kind === kind) return Promise.resolve(connection.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no "${kind}" within ${timeoutMs} ms (now ${connection.state.kind})`));
    }, timeoutMs);
    const off = connection.on('stateChanged', (_previous, next) => {
      if (next.kind !== kind) return;
      clearTimeout(timer);
      off();
      resolve(next);
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Connection against the reference server', () => {
  it('sends the firmware upgrade headers and our hello, then is ready with the session id', async () => {
    const srv = await start({ token: 'secret-token' });
    const { connection, states } = connect(srv.url, { token: 'secret-token' });
    const ready = await waitForState(connection, 'ready');
    expect(ready.kind === 'ready' && ready.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(states.map((s) => s.kind)).toEqual(['connecting', 'connected', 'handshaking', 'ready']);
    const record = srv.connections[0];
    expect(record?.headers).toMatchObject({
      authorization: 'Bearer secret-token',
      protocolVersion: '1',
      deviceId: DEVICE_ID,
      clientId: CLIENT_ID,
    });
    const hello = await srv.waitFor((r) => r.type === 'hello');
    expect(hello.message).toMatchObject({
      type: 'hello',
      version: 1,
      transport: 'websocket',
      features: { mcp: true },
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    });
    // The server echoes 16000 while it encodes at 24 kHz; the client keeps what it was told but
    // never opens a decoder with it.
    expect(connection.serverAudio.frameDurationMs).toBe(60);
  });

  it('sends a token that already carries a scheme verbatim', async () => {
    const srv = await start();
    const { connection } = connect(srv.url, { token: 'Basic abc123' });
    await waitForState(connection, 'ready');
    expect(srv.connections[0]?.headers.authorization).toBe('Basic abc123');
  });

  it('a bad token ends in authFailed without a reconnect loop', async () => {
    const srv = await start({ token: 'right' });
    const { connection } = connect(srv.url, { token: 'wrong' });
    const state = await waitForState(connection, 'authFailed');
    expect(state).toEqual({
      kind: 'authFailed',
      cause: { code: 'tokenRejected' },
      refreshFailed: null,
    });
    await sleep(600);
    expect(srv.connections).toHaveLength(1);
    expect(connection.state.kind).toBe('authFailed');
  });

  it('refreshes the token once through OTA when the server rejects it', async () => {
    const srv = await start({ token: 'fresh' });
    let refreshes = 0;
    const { connection } = connect(srv.url, {
      token: 'stale',
      refreshToken: async () => {
        refreshes += 1;
        return 'fresh';
      },
    });
    await waitForState(connection, 'ready');
    expect(refreshes).toBe(1);
    expect(srv.connections.map((c) => c.headers.authorization)).toEqual([
      'Bearer stale',
      'Bearer fresh',
    ]);
  });

  it.each([401, 403] as const)(
    'treats HTTP %i on the upgrade as an auth failure',
    async (status) => {
      const srv = await start({ refuseUpgrade: status });
      const { connection } = connect(srv.url);
      await waitForState(connection, 'authFailed');
      await sleep(300);
      expect(srv.connections).toHaveLength(1);
    },
  );

  it('backs off on HTTP 500 and gives up after the attempt limit with a manual retry', async () => {
    const srv = await start({ refuseUpgrade: 500 });
    const { connection, states } = connect(srv.url, {
      backoff: { firstDelayMs: 40, maxDelayMs: 80, maxAttempts: 3, slowRetryMs: 60_000 },
    });
    const failed = await waitForState(connection, 'failed');
    expect(failed).toEqual({
      kind: 'failed',
      cause: { code: 'upgradeFailed', status: 500 },
      gaveUpAfter: 3,
      retryAt: expect.any(Number),
    });
    expect(
      states
        .filter((s) => s.kind === 'reconnecting')
        .map((s) => s.kind === 'reconnecting' && s.attempt),
    ).toEqual([2, 3]);
    expect(srv.connections).toHaveLength(3);
    srv.setKnobs({ refuseUpgrade: null });
    connection.retry();
    await waitForState(connection, 'ready');
  });

  it('gives up on a server that never answers the hello, and recovers when it does', async () => {
    const srv = await start({ hangBeforeHello: true });
    const { connection, states } = connect(srv.url, { helloTimeoutMs: 300 });
    const retrying = await waitForState(connection, 'reconnecting');
    expect(retrying).toMatchObject({ cause: { code: 'helloTimedOut', seconds: 1 } });
    srv.setKnobs({ hangBeforeHello: false });
    await waitForState(connection, 'ready');
    expect(states.some((s) => s.kind === 'handshaking')).toBe(true);
  });

  it('times out a slow accept and retries', async () => {
    const srv = await start({ acceptDelayMs: 2_000 });
    const { connection } = connect(srv.url, { handshakeTimeoutMs: 300 });
    const retrying = await waitForState(connection, 'reconnecting');
    expect(retrying).toMatchObject({ cause: { code: 'handshakeTimedOut' } });
    srv.setKnobs({ acceptDelayMs: 0 });
    await waitForState(connection, 'ready', 8_000);
  });

  it('terminates a socket whose pongs stopped, then reconnects', async () => {
    const srv = await start();
    const { connection } = connect(srv.url, { pingIntervalMs: 150, pongTimeoutMs: 150 });
    await waitForState(connection, 'ready');
    srv.setKnobs({ ignorePings: true });
    const retrying = await waitForState(connection, 'reconnecting');
    expect(retrying).toMatchObject({ cause: { code: 'pongTimedOut' } });
    srv.setKnobs({ ignorePings: false });
    await waitForState(connection, 'ready');
  });

  it('reconnects after a server restart on the same port, the first retry within a second', async () => {
    const srv = await start();
    const { connection } = connect(srv.url, { backoff: undefined });
    await waitForState(connection, 'ready');
    const restarting = srv.restart({ downMs: 100 });
    const retrying = await waitForState(connection, 'reconnecting');
    const wait = retrying.kind === 'reconnecting' ? retrying.retryAt - Date.now() : Infinity;
    expect(wait).toBeLessThanOrEqual(1_000);
    await restarting;
    await waitForState(connection, 'ready', 5_000);
    expect(srv.connections.filter((c) => c.sessionId !== null).length).toBeGreaterThanOrEqual(2);
  });

  it('a nudge retries at once instead of waiting out the backoff', async () => {
    const srv = await start();
    const { connection } = connect(srv.url, {
      backoff: { firstDelayMs: 30_000, maxDelayMs: 60_000, maxAttempts: 5, slowRetryMs: 60_000 },
    });
    await waitForState(connection, 'ready');
    await srv.restart({ downMs: 50 });
    await waitForState(connection, 'reconnecting');
    const before = Date.now();
    connection.nudge();
    await waitForState(connection, 'ready');
    expect(Date.now() - before).toBeLessThan(5_000);
  });

  it('treats the server closing an idle session as the end of the conversation, not a failure', async () => {
    const srv = await start({ idleCloseMs: 300 });
    const { connection } = connect(srv.url);
    await waitForState(connection, 'ready');
    const state = await waitForState(connection, 'disconnected', 5_000);
    expect(state.kind === 'disconnected' && state.reason).toBe('idle');
    await sleep(400);
    expect(srv.connections).toHaveLength(1);
    connection.connect();
    await waitForState(connection, 'ready');
  });

  it('survives garbage frames, reporting each as a typed frame', async () => {
    const srv = await start({ garbage: true });
    const { connection, frames } = connect(srv.url);
    await waitForState(connection, 'ready');
    await connection.sendJson(listenDetect('你好'));
    await srv.waitFor((r) => r.type === 'listen');
    await waitUntil(() =>
      frames.some(
        (f) => f.kind === 'message' && f.message.type === 'tts' && f.message.state === 'stop',
      ),
    );
    const kinds = new Set(frames.map((f) => f.kind));
    expect(kinds).toEqual(new Set(['message', 'invalid', 'unknown', 'text']));
    expect(connection.state.kind).toBe('ready');
  });

  it('closes on an oversized frame without crashing, and reconnects', async () => {
    const srv = await start({ oversizedFrameBytes: 2 * 1024 * 1024 });
    const { connection } = connect(srv.url);
    await waitForState(connection, 'ready');
    await connection.sendJson(listenDetect('大'));
    await waitForState(connection, 'reconnecting');
    srv.setKnobs({ oversizedFrameBytes: 0 });
    await waitForState(connection, 'ready');
  });

  it('drops audio rather than queueing it when not ready', () => {
    const connection = new Connection({
      url: 'ws://127.0.0.1:9/',
      token: null,
      deviceId: DEVICE_ID,
      clientId: CLIENT_ID,
    });
    expect(connection.sendAudio(new Uint8Array(100))).toBe('dropped');
    expect(connection.droppedAudioFrames).toBe(1);
  });

  it('ends in failed with a path hint when the URL answers plain HTTP', async () => {
    // xiaozhi-esp32-server accepts any path; a web server in front of it answers 404 instead.
    const http = createServer((_request, response) => response.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    try {
      const { connection } = connect(`ws://127.0.0.1:${port}/wrong/`);
      const state = await waitForState(connection, 'failed');
      expect(state).toMatchObject({ cause: { code: 'notWebSocket', status: 404 } });
    } finally {
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });

  it('says plainly when nothing listens on the port', async () => {
    const { connection } = connect('ws://127.0.0.1:9/xiaozhi/v1/', {
      backoff: { firstDelayMs: 20, maxDelayMs: 40, maxAttempts: 2, slowRetryMs: 60_000 },
    });
    const state = await waitForState(connection, 'failed');
    expect(state).toEqual({
      kind: 'failed',
      cause: { code: 'refused', host: '127.0.0.1', port: 9 },
      gaveUpAfter: 2,
      retryAt: expect.any(Number),
    });
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}
