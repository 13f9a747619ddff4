import opus from '@discordjs/opus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { PlainClient, firmwareHello } from '../../fixtures/reference-server/plain-client.ts';

let server: ReferenceServer;
let client: PlainClient;

async function connect(): Promise<PlainClient> {
  const peer = await PlainClient.connect(server.url);
  peer.sendJson(firmwareHello());
  await peer.waitForJson('hello');
  return peer;
}

beforeEach(async () => {
  server = await startReferenceServer({ mcp: false, burstAll: true, replyFor: () => ['好。'] });
  client = await connect();
});

afterEach(async () => {
  await server.stop();
});

describe('session housekeeping', () => {
  it('answers app-level ping with a wall-clock pong, WS pings with pong', async () => {
    client.sendJson({ type: 'ping' });
    const pong = await client.waitForJson('pong');
    expect(pong.message?.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const wsPong = new Promise((resolve) => client.socket.once('pong', resolve));
    client.socket.ping();
    await wsPong;
  });

  it('stays silent to both pings when ignorePings is set', async () => {
    server.setKnobs({ ignorePings: true });
    let ponged = false;
    client.socket.once('pong', () => (ponged = true));
    client.socket.ping();
    client.sendJson({ type: 'ping' });
    await server.waitFor((r) => r.type === 'ping');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(ponged).toBe(false);
    expect(client.json('pong')).toHaveLength(0);
  });

  it('tracks channel subscriptions and pushes only to subscribers', async () => {
    const other = await connect();
    client.sendJson({ type: 'subscribe', channels: ['tasks', 'chat'] });
    expect((await client.waitForJson('subscribed')).message?.channels).toEqual(['tasks', 'chat']);
    client.sendJson({ type: 'unsubscribe', channels: ['chat'] });
    await client.waitForJson('unsubscribed');
    expect(server.connections[0]?.channels).toEqual(['tasks']);
    expect(server.push({ type: 'task.progress', progress: 0.5 }, { channel: 'tasks' })).toBe(1);
    expect(server.push({ type: 'message.new' }, { channel: 'chat' })).toBe(0);
    expect(server.push({ type: 'custom', payload: {} })).toBe(2);
    await client.waitForJson('task.progress');
    await other.waitForJson('custom');
    expect(other.json('task.progress')).toHaveLength(0);
  });

  it('echoes non-JSON text and ignores unknown types', async () => {
    client.sendText('hello?');
    expect((await client.waitFor((f) => f.kind === 'text')).text).toBe('hello?');
    client.sendJson({ type: 'no_such_type' });
    await server.waitFor((r) => r.type === 'no_such_type');
    expect(server.connections[0]?.closeCode).toBeNull();
  });

  it('drops the connection on a listen without state, like XS', async () => {
    client.sendJson({ type: 'listen', mode: 'auto' });
    expect((await client.closed).code).toBe(1000);
    const record = await server.waitForConnection((c) => c.closeCode !== null);
    expect(record.closedBy).toBe('server');
  });

  it('says goodbye and closes 1000 after idleCloseMs without activity', async () => {
    server.setKnobs({ idleCloseMs: 200 });
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    expect(client.json('tts', 'sentence_start').map((m) => m.text)).toEqual(['再见']);
    expect(client.json('tts', 'stop')).toHaveLength(1);
    expect(client.frames.some((f) => f.kind === 'binary')).toBe(true);
  });
});

describe('restart', () => {
  it('closes clients with 1012 and listens again on the same port', async () => {
    const port = server.port;
    const restarted = server.restart();
    expect((await client.closed).code).toBe(1012);
    await restarted;
    expect(server.port).toBe(port);
    const again = await connect();
    expect(server.connections.at(-1)?.sessionId).not.toBe(server.connections[0]?.sessionId);
    await again.close();
  });
});

describe('misbehaviour', () => {
  it('drops the socket without a close frame after 3 frames when closeMidReply', async () => {
    server.setKnobs({ closeMidReply: true, burstAll: false });
    client.sendJson({ type: 'listen', state: 'detect', text: '断开' });
    expect((await client.closed).code).toBe(1006);
    expect(client.frames.filter((f) => f.kind === 'binary')).toHaveLength(3);
  });

  it('sends garbage and an oversized frame before the reply', async () => {
    server.setKnobs({ garbage: true, oversizedFrameBytes: 70_000 });
    client.sendJson({ type: 'listen', state: 'detect', text: '乱' });
    await client.waitForJson('tts', 'stop');
    const start = client.frames.findIndex((f) => f.message?.type === 'tts');
    const before = client.frames.slice(1, start);
    expect(before.filter((f) => f.kind === 'text')).toHaveLength(2);
    expect(before.filter((f) => f.kind === 'binary')).toHaveLength(1);
    expect(before.some((f) => f.message !== null && !('type' in f.message))).toBe(true);
    expect(before.find((f) => f.message?.type === 'oversized')?.text).toHaveLength(70_000);
  });

  it('pauses in the middle of the audio when stallMs is set', async () => {
    server.setKnobs({ stallMs: 300 });
    const from = server.sent.length;
    client.sendJson({ type: 'listen', state: 'detect', text: '停' });
    await client.waitForJson('tts', 'stop');
    const audio = server.sent.slice(from).filter((s) => s.kind === 'binary');
    const t0 = audio[0]?.at ?? 0;
    const half = Math.floor(audio.length / 2);
    expect(audio.slice(0, half).every((s) => s.at - t0 < 50)).toBe(true);
    expect(audio.slice(half).every((s) => s.at - t0 >= 295)).toBe(true);
  });

  it('spoils every 4th frame when invalidOpus', async () => {
    server.setKnobs({ invalidOpus: true });
    client.sendJson({ type: 'listen', state: 'detect', text: '坏' });
    await client.waitForJson('tts', 'stop');
    const decoder = new opus.OpusEncoder(48_000, 1);
    const outcomes = client.frames.flatMap((f) => {
      if (f.data === null) return [];
      try {
        decoder.decode(f.data);
        return ['ok'];
      } catch {
        return ['bad'];
      }
    });
    expect(outcomes.slice(0, 8)).toEqual(['ok', 'ok', 'ok', 'bad', 'ok', 'ok', 'ok', 'bad']);
  });
});
