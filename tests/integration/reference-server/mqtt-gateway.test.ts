import opus from '@discordjs/opus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  sentenceFrameCount,
  synthesizeSentence,
} from '../../fixtures/reference-server/tts-audio.ts';
import { MqttDevice, opusFrame } from './mqtt-device.ts';

const DEVICE_ID = 'aa:bb:cc:dd:ee:42';
const DECODE_RATE = 48_000;
const HEX_16_BYTES = /^[0-9a-f]{32}$/;

let server: ReferenceServer;
const devices: MqttDevice[] = [];

async function device(section = server.mqttSection(DEVICE_ID)): Promise<MqttDevice> {
  const connected = await MqttDevice.connect(section);
  devices.push(connected);
  return connected;
}

/** Audio frames of the reply `replyFor(text)`. */
function replyFrames(text: string): number {
  return server.knobs.replyFor(text).reduce((sum, s) => sum + sentenceFrameCount(s), 0);
}

beforeEach(async () => {
  server = await startReferenceServer({ mcp: false });
});

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.close().catch(() => undefined)));
  await server.stop();
});

async function postOta(): Promise<Record<string, unknown>> {
  const response = await fetch(server.otaUrl, {
    method: 'POST',
    headers: { 'Device-Id': DEVICE_ID, 'Client-Id': 'c0ffee00-0000-4000-8000-000000000042' },
    body: JSON.stringify({ application: { version: '1.0.0' }, board: { type: 'lumi-test' } }),
  });
  return (await response.json()) as Record<string, unknown>;
}

describe('OTA', () => {
  it('hands out only websocket by default, only mqtt with otaTransport mqtt, both with both', async () => {
    expect(Object.keys(await postOta())).not.toContain('mqtt');
    server.setKnobs({ otaTransport: 'mqtt' });
    const mqttOnly = await postOta();
    expect(mqttOnly.websocket).toBeUndefined();
    expect(mqttOnly.mqtt).toEqual({
      endpoint: `127.0.0.1:${server.mqttPort}`,
      client_id: 'GID_lumi-test@@@aa_bb_cc_dd_ee_42@@@aa_bb_cc_dd_ee_42',
      username: expect.any(String) as string,
      password: expect.any(String) as string,
      publish_topic: 'device-server',
      subscribe_topic: 'devices/p2p/aa_bb_cc_dd_ee_42',
      keepalive: 240,
    });
    const username = (mqttOnly.mqtt as { username: string }).username;
    expect(JSON.parse(Buffer.from(username, 'base64').toString('utf8'))).toMatchObject({
      ip: 'unknown',
    });
    server.setKnobs({ otaTransport: 'both' });
    expect(Object.keys(await postOta())).toEqual(expect.arrayContaining(['mqtt', 'websocket']));
  });

  it('hands out credentials the broker accepts', async () => {
    server.setKnobs({ otaTransport: 'mqtt' });
    const section = (await postOta()).mqtt as ReturnType<ReferenceServer['mqttSection']>;
    const connected = await device(section);
    expect(connected.connected).toBe(true);
    expect((await server.waitForMqtt()).refusal).toBeNull();
  });
});

describe('broker admission', () => {
  it('refuses a wrong password with CONNACK 4 and records why', async () => {
    const section = { ...server.mqttSection(DEVICE_ID), password: 'not-the-hmac' };
    await expect(MqttDevice.connect(section)).rejects.toThrow(/username or password/i);
    expect(server.mqttConnections[0]?.refusal).toBe('wrong password');
  });

  it('refuses a client id that is not GID_<board>@@@<mac_>@@@<mac_>', async () => {
    const section = { ...server.mqttSection(DEVICE_ID), client_id: 'GID_x@@@aa_bb@@@cc_dd' };
    await expect(MqttDevice.connect(section)).rejects.toThrow();
    expect(server.mqttConnections[0]?.refusal).toBe('malformed client id');
  });
});

describe('session over MQTT + UDP', () => {
  it('answers hello with transport udp, the session id, the client audio_params and fresh UDP keys', async () => {
    const d = await device();
    const first = await d.hello();
    expect(first).toMatchObject({
      type: 'hello',
      transport: 'udp',
      session_id: expect.any(String) as string,
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
      udp: { server: '127.0.0.1', port: server.udpPort, encryption: 'aes-128-ctr' },
    });
    const udp = first.udp as { key: string; nonce: string };
    expect(udp.key).toMatch(HEX_16_BYTES);
    expect(udp.nonce).toMatch(HEX_16_BYTES);
    const second = await d.hello();
    expect((second.udp as { key: string }).key).not.toBe(udp.key);
    expect(second.session_id).not.toBe(first.session_id);
    const record = await server.waitForMqtt();
    expect(record.hellos).toBe(2);
    expect(record.sessions).toHaveLength(2);
    // The first session ended when the second hello arrived; the MQTT connection stayed up.
    expect(server.connections[record.sessions[0] ?? -1]?.closedAt).not.toBeNull();
    expect(d.connected).toBe(true);
  });

  it('speaks a typed turn: stt, tts start, llm, sentences over MQTT and the audio over UDP', async () => {
    server.setKnobs({ burstAll: true });
    const d = await device();
    const hello = await d.hello();
    const from = d.messages.length;
    d.send({ session_id: hello.session_id, type: 'listen', state: 'detect', text: '你好' });
    await d.waitFor('tts', 'stop', from);
    const labels = d.messages
      .slice(from)
      .map(({ message: m }) =>
        typeof m.state === 'string' ? `${String(m.type)}:${m.state}` : m.type,
      );
    expect(labels).toEqual([
      'stt',
      'tts:start',
      'llm',
      'tts:sentence_start',
      'tts:sentence_start',
      'tts:stop',
    ]);
    const frames = replyFrames('你好');
    const datagrams = await d.waitForDatagrams(frames);
    expect(datagrams.map((g) => g.sequence)).toEqual(
      Array.from({ length: frames }, (_, i) => i + 1),
    );
    const nonce = Buffer.from((hello.udp as { nonce: string }).nonce, 'hex');
    expect(new Set(datagrams.map((g) => g.connectionId))).toEqual(
      new Set([nonce.subarray(4, 8).toString('hex')]),
    );
    expect(datagrams.every((g) => g.type === 0x01)).toBe(true);
    // Real Opus at 24 kHz although the hello echoed 16 kHz (XS's quirk): 60 ms at any rate.
    const decoder = new opus.OpusEncoder(DECODE_RATE, 1);
    for (const g of datagrams)
      expect(decoder.decode(g.payload).length).toBe(DECODE_RATE * 0.06 * 2);
    const udp = server.udpSessions[0];
    expect(udp?.receivedSequences).toEqual([1]);
    expect(udp?.sentSequences).toHaveLength(frames);
  });

  it('sends no audio to a client that never sent a datagram', async () => {
    server.setKnobs({ burstAll: true });
    const d = await device();
    await d.hello({}, false);
    const from = d.messages.length;
    d.send({ type: 'listen', state: 'detect', text: '你好' });
    await d.waitFor('tts', 'stop', from);
    expect(d.datagrams).toHaveLength(0);
    expect(server.udpSessions[0]?.undeliverable).toBe(replyFrames('你好'));
  });

  it('feeds upstream datagrams to the session: an echo turn answers with the same packets', async () => {
    server.setKnobs({ echo: true, burstAll: true });
    const d = await device();
    await d.hello();
    const from = d.messages.length;
    d.send({ type: 'listen', state: 'start', mode: 'manual' });
    // MQTT and UDP race each other: audio before the `listen start` arrived would be ignored.
    await server.waitFor((r) => r.type === 'listen' && r.message?.state === 'start');
    const spoken = Array.from({ length: 10 }, (_, i) => opusFrame(0.3, 300 + i * 50));
    for (const packet of spoken) d.sendAudio(packet);
    await server.waitForConnection((c) => c.binaryFrames >= 11);
    d.send({ type: 'listen', state: 'stop' });
    await d.waitFor('tts', 'stop', from);
    expect(d.datagrams.map((g) => g.payload)).toEqual(spoken);
  });
});

/** A connected device with a session, and a finished typed turn with its reply's frame count. */
async function typedTurn(punch = true): Promise<{ d: MqttDevice; frames: number }> {
  server.setKnobs({ burstAll: true });
  const d = await device();
  await d.hello({}, punch);
  const from = d.messages.length;
  d.send({ type: 'listen', state: 'detect', text: '你好' });
  await d.waitFor('tts', 'stop', from);
  // tts stop leaves 420 ms after the last frame: every datagram that will come has come.
  return { d, frames: replyFrames('你好') };
}

describe('UDP knobs', () => {
  it('udpLossPercent drops that share of downstream datagrams, the same ones every run', async () => {
    server.setKnobs({ udpLossPercent: 30 });
    const { d, frames } = await typedTurn();
    const udp = server.udpSessions[0];
    const lost = udp?.lostOnPurpose ?? 0;
    expect(lost).toBeGreaterThan(frames * 0.15);
    expect(lost).toBeLessThan(frames * 0.45);
    expect(d.datagrams).toHaveLength(frames - lost);
    const sequences = d.datagrams.map((g) => g.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(sequences.at(-1)).toBeLessThanOrEqual(frames);
    // A second session draws the same pattern.
    const from = d.messages.length;
    await d.hello();
    const before = d.datagrams.length;
    d.send({ type: 'listen', state: 'detect', text: '你好' });
    await d.waitFor('tts', 'stop', from);
    expect(d.datagrams.slice(before).map((g) => g.sequence)).toEqual(sequences);
  });

  it('udpReorder sends some datagrams after their successor, none lost', async () => {
    server.setKnobs({ udpReorder: true });
    const { d, frames } = await typedTurn();
    const sequences = d.datagrams.map((g) => g.sequence);
    expect(sequences).not.toEqual([...sequences].sort((a, b) => a - b));
    expect([...sequences].sort((a, b) => a - b)).toEqual(
      Array.from({ length: frames }, (_, i) => i + 1),
    );
  });

  it('udpDuplicate sends some datagrams twice', async () => {
    server.setKnobs({ udpDuplicate: true });
    const { d, frames } = await typedTurn();
    const sequences = d.datagrams.map((g) => g.sequence);
    expect(sequences.length).toBeGreaterThan(frames);
    expect(new Set(sequences).size).toBe(frames);
  });

  it('udpStaleSequence resends datagrams whose sequence already went by', async () => {
    server.setKnobs({ udpStaleSequence: true });
    const { d } = await typedTurn();
    const sequences = d.datagrams.map((g) => g.sequence);
    const stale = sequences.filter((s, i) => s <= Math.max(0, ...sequences.slice(0, i)));
    expect(stale.length).toBeGreaterThan(0);
  });

  it('udpWrongKey advertises a key the audio was not encrypted with', async () => {
    // The stand-in TTS is deterministic: with the right key the payloads are its packets.
    const expected = server.knobs.replyFor('你好').flatMap((s, i) => synthesizeSentence(s, i));
    const good = await typedTurn();
    expect(good.d.datagrams.map((g) => g.payload)).toEqual(expected);
    server.setKnobs({ udpWrongKey: true });
    const { d, frames } = await typedTurn();
    expect(d.datagrams).toHaveLength(frames);
    const payloads = d.datagrams.map((g) => g.payload);
    expect(payloads.filter((p, i) => p.equals(expected[i] ?? Buffer.alloc(0)))).toHaveLength(0);
  });

  it('udpUnreachable blackhole drops every datagram both ways', async () => {
    server.setKnobs({ udpUnreachable: 'blackhole' });
    const { d, frames } = await typedTurn();
    expect(d.datagrams).toHaveLength(0);
    const udp = server.udpSessions[0];
    expect(udp?.droppedBlocked).toBe(1);
    expect(udp?.clientAddress).toBeNull();
    expect(udp?.undeliverable).toBe(frames);
  });

  it('udpUnreachable closedPort names a port nothing listens on', async () => {
    server.setKnobs({ udpUnreachable: 'closedPort' });
    const d = await device();
    const hello = await d.hello();
    expect((hello.udp as { port: number }).port).not.toBe(server.udpPort);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.udpSessions[0]?.receivedSequences).toEqual([]);
  });

  it('counts and drops malformed, unknown and stale upstream datagrams without harm', async () => {
    const d = await device();
    const hello = await d.hello();
    await server.waitForConnection((c) => c.binaryFrames === 1);
    const nonce = Buffer.from((hello.udp as { nonce: string }).nonce, 'hex');
    d.sendRaw(Buffer.from([1, 0, 0]));
    const wrongType = Buffer.alloc(20);
    wrongType[0] = 0x02;
    d.sendRaw(wrongType);
    const badLength = Buffer.concat([nonce, Buffer.alloc(4)]);
    badLength[0] = 0x01;
    badLength.writeUInt16BE(99, 2);
    d.sendRaw(badLength);
    const stranger = Buffer.from(nonce);
    stranger[0] = 0x01;
    stranger.writeUInt16BE(0, 2);
    stranger.writeUInt32BE((stranger.readUInt32BE(4) + 1) >>> 0, 4);
    d.sendRaw(stranger);
    d.sendAudio(opusFrame(), 1);
    const record = server.udpSessions[0];
    await expect
      .poll(() => ({ ...server.udpStrays, stale: record?.droppedStale }))
      .toEqual({ short: 1, type: 1, length: 1, unknownConnection: 1, stale: 1 });
    // Still serving: a typed turn gets its reply.
    const from = d.messages.length;
    d.send({ type: 'listen', state: 'detect', text: '还在吗' });
    await d.waitFor('tts', 'stop', from, 10_000);
  });
});

describe('MQTT knobs and lifecycle', () => {
  it('mqttRefusePassword untilOta refuses older credentials until fresh ones are fetched', async () => {
    const stored = server.mqttSection(DEVICE_ID);
    server.setKnobs({ mqttRefusePassword: 'untilOta' });
    await expect(MqttDevice.connect(stored)).rejects.toThrow(/username or password/i);
    const fresh = await device(server.mqttSection(DEVICE_ID));
    expect(fresh.connected).toBe(true);
    expect(server.mqttConnections.map((m) => m.refusal === null)).toEqual([false, true]);
  });

  it('mqttRefusePassword always refuses even fresh credentials', async () => {
    server.setKnobs({ mqttRefusePassword: 'always' });
    await expect(MqttDevice.connect(server.mqttSection(DEVICE_ID))).rejects.toThrow();
  });

  it('gatewayMcpBeforeHello: initialize id 10000 without vision before hello, the server’s with vision after', async () => {
    server.setKnobs({ gatewayMcpBeforeHello: true, mcp: true });
    const d = await device();
    const early = await d.waitFor('mcp');
    const payload = early.message.payload as Record<string, unknown>;
    expect(payload).toMatchObject({ id: 10_000, method: 'initialize' });
    expect(JSON.stringify(payload)).not.toContain('vision');
    d.send({ type: 'mcp', payload: { jsonrpc: '2.0', id: 10_000, result: {} } });
    await expect.poll(() => server.mqttConnections[0]?.unrouted.length).toBe(1);
    const from = d.messages.length;
    await d.hello();
    const late = await d.waitFor('mcp', undefined, from);
    expect(late.message.payload).toMatchObject({
      id: 1,
      method: 'initialize',
      params: { capabilities: { vision: { url: expect.any(String) as string } } },
    });
  });

  it('goodbye from the device ends the session, not the MQTT connection', async () => {
    const d = await device();
    const hello = await d.hello();
    d.send({ type: 'goodbye', session_id: hello.session_id });
    const closed = await server.waitForConnection((c) => c.closedBy !== null);
    expect(closed.closedBy).toBe('client');
    expect(d.connected).toBe(true);
    expect(server.mqttConnections[0]?.goodbyesReceived).toBe(1);
    // A typed text without a session is not answered; a new hello starts a new session.
    await d.hello();
    expect(server.mqttConnections[0]?.sessions).toHaveLength(2);
  });

  it('the server says goodbye when its side ends the session (idle close)', async () => {
    server.setKnobs({ idleCloseMs: 200, burstAll: true });
    const d = await device();
    const hello = await d.hello();
    const goodbye = await d.waitFor('goodbye', undefined, 0, 5_000);
    expect(goodbye.message.session_id).toBe(hello.session_id);
    expect(d.messages.some((m) => m.message.type === 'tts' && m.message.state === 'stop')).toBe(
      true,
    );
    expect(server.connections[0]?.closedBy).toBe('server');
    expect(d.connected).toBe(true);
  });

  it('closeAll reaches a device behind the gateway as goodbye', async () => {
    const d = await device();
    const hello = await d.hello();
    server.closeAll();
    expect((await d.waitFor('goodbye')).message.session_id).toBe(hello.session_id);
    expect(server.mqttConnections[0]?.goodbyesSent).toBe(1);
  });

  it('restartBroker drops every client, then accepts them again on the same port', async () => {
    const d = await device();
    await d.hello();
    const port = server.mqttPort;
    const closed = d.closed();
    await server.restartBroker({ downMs: 100 });
    await closed;
    expect(server.connections[0]?.closedAt).not.toBeNull();
    expect(server.mqttPort).toBe(port);
    const again = await device();
    await again.hello();
    expect(server.mqttConnections.filter((m) => m.refusal === null)).toHaveLength(2);
  });
});
