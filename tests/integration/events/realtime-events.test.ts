/**
 * The real-time module's events against the reference server: channel subscriptions (and
 * their renewal after a reconnect), pushed messages and task events, the app-level heartbeat,
 * and the original Lumi dialect's hello and chat.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskRow } from '../../../shared/ipc.ts';
import { AppHeartbeat } from '../../../main/core/events/app-heartbeat.ts';
import { LumiDialect } from '../../../main/core/events/lumi-dialect.ts';
import { ServerEvents, type PushedMessage } from '../../../main/core/events/server-events.ts';
import { SubscriptionManager } from '../../../main/core/events/subscriptions.ts';
import { listenStart } from '../../../main/core/protocol/client-messages.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { WiredSocket } from '../mcp/wired-socket.ts';

/** Short periods keep the test quick; the logic is the one unit-tested with the 30 s default. */
const TEST_PING_INTERVAL = 100;
const TEST_PONG_TIMEOUT = 2_000;

let server: ReferenceServer;
let socket: WiredSocket;

function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

const subscribeRecords = (connection: number) =>
  server.received.filter(
    (record) => record.connection === connection && record.type === 'subscribe',
  );

beforeEach(async () => {
  server = await startReferenceServer({ mcp: false });
});

afterEach(async () => {
  socket.close();
  await server.stop();
});

describe('subscriptions and server events', () => {
  it('subscribes, receives pushed messages and task events on its channels, and renews after a restart', async () => {
    socket = new WiredSocket({ url: server.url });
    const subscriptions = new SubscriptionManager(socket.send);
    const events = new ServerEvents();
    const pushed: PushedMessage[] = [];
    const finished: TaskRow[] = [];
    events.events.on('serverMessageReceived', (message) => pushed.push(message));
    events.events.on('taskFinished', (task) => finished.push(task));
    socket.onReady(() => subscriptions.sessionReady());
    socket.onMessage((message) => subscriptions.handle(message) || events.handle(message));

    subscriptions.subscribe(['conversation:1']); // before connecting: kept for the ready session
    await socket.connect();
    subscriptions.subscribe(['task:7', 'task:8']);
    await until(
      () => subscriptions.isConfirmed('task:8') && subscriptions.isConfirmed('conversation:1'),
    );
    expect(subscribeRecords(0).map((record) => record.message?.['channels'])).toEqual([
      ['conversation:1'],
      ['task:7', 'task:8'],
    ]);

    expect(
      server.push(
        { type: 'message.new', message: { id: 'm1', content: 'Report ready', role: 'assistant' } },
        { channel: 'conversation:1' },
      ),
    ).toBe(1);
    server.push(
      { type: 'task.progress', task_id: '7', title: 'Export', progress: 50 },
      { channel: 'task:7' },
    );
    server.push({ type: 'task.completed', task_id: '7' }, { channel: 'task:7' });
    await until(() => finished.length === 1);
    expect(pushed).toMatchObject([{ id: 'm1', text: 'Report ready' }]);
    expect(finished).toEqual([
      { id: '7', title: 'Export', progress: 100, state: 'completed', message: null },
    ]);

    subscriptions.unsubscribe(['task:8']);
    await server.waitFor((record) => record.type === 'unsubscribe');

    const closed = socket.closed();
    await server.restart();
    await closed;
    await socket.connect();
    await until(() => subscriptions.isConfirmed('task:7'));
    // One batch with everything still wanted.
    expect(subscribeRecords(1).map((record) => record.message?.['channels'])).toEqual([
      ['conversation:1', 'task:7'],
    ]);
    expect(server.connections[1]?.channels).toEqual(['conversation:1', 'task:7']);
    expect(
      server.push({ type: 'message.new', content: 'after restart' }, { channel: 'task:7' }),
    ).toBe(1);
    await until(() => pushed.length === 2);
    expect(pushed[1]?.text).toBe('after restart');
  });
});

describe('app heartbeat', () => {
  it('pings, hears pongs, and declares a silent server so the socket is dropped', async () => {
    socket = new WiredSocket({ url: server.url });
    let silent = 0;
    const heartbeat = new AppHeartbeat({
      send: socket.send,
      clock: systemClock,
      intervalMs: TEST_PING_INTERVAL,
      pongTimeoutMs: TEST_PONG_TIMEOUT,
      onSilent: () => {
        silent++;
        socket.terminate();
      },
    });
    let pongs = 0;
    socket.onMessage((message) => {
      if (heartbeat.handle(message)) pongs++;
    });
    await socket.connect();
    heartbeat.start();
    await until(() => pongs >= 3);
    expect(silent).toBe(0);
    expect(
      server.received.filter((record) => record.type === 'ping').length,
    ).toBeGreaterThanOrEqual(3);

    server.setKnobs({ ignorePings: true });
    const closed = socket.closed();
    await until(() => silent === 1);
    await closed;
    expect(heartbeat.running).toBe(false);
  });
});

describe('the original Lumi dialect', () => {
  it('has its hello id echoed, wraps messages, and matches the chat response', async () => {
    const lumi = new LumiDialect({
      deviceId: 'lumi_desktop_001',
      deviceInfo: { platform: 'linux', model: 'x86_64', os_version: '6.1.0' },
      clock: systemClock,
    });
    socket = new WiredSocket({
      url: server.url,
      decorateHello: lumi.decorateHello,
      acceptHello: lumi.acceptHello,
      decorateMessage: lumi.decorateMessage,
    });
    await socket.connect();
    const hello = server.connections[0]?.hello ?? {};
    expect(hello).toMatchObject({
      type: 'hello',
      device_id: 'lumi_desktop_001',
      device_info: { platform: 'linux', model: 'x86_64', os_version: '6.1.0' },
    });
    expect(typeof hello['id']).toBe('string');

    socket.send(listenStart('manual'));
    const listen = await server.waitFor((record) => record.type === 'listen');
    expect(listen.message).toMatchObject({ type: 'listen', device_id: 'lumi_desktop_001' });
    expect(listen.message?.['id']).not.toBe(hello['id']);
    expect(Number.isNaN(Date.parse(String(listen.message?.['timestamp'])))).toBe(false);

    socket.send(lumi.chat('你好', 'outbox-1'));
    const response = await socket.waitFor((message) => message.type === 'response');
    if (response.type !== 'response') throw new Error('not a response');
    expect(lumi.matchResponse(response)).toEqual({ chatId: 'outbox-1', content: response.content });
    expect(response.content).toContain('你好');
  });
});
