/**
 * No input over MQTT or UDP can crash or freeze Lumi (issue 13). Two kinds of peers:
 *
 * - the reference server's gateway, publishing what no gateway should on the device's topic
 *   (JSON of any shape, bytes that are not UTF-8, a message over the 1 MiB limit), after which a
 *   typed turn must still work;
 * - a broker and UDP endpoint of the test's own (aedes and dgram), for what the reference server
 *   cannot do: never confirm the subscription, answer the hello with a malformed `udp` section,
 *   send datagrams from another socket. These drive the real connection and carrier.
 *
 * A test that lost its guard either times out in a state that never ends (a freeze) or fails on
 * an unhandled rejection, which vitest reports as an error.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import { Connection } from '../../../main/core/connection/connection.ts';
import { MqttCarriers } from '../../../main/core/connection/mqtt-carrier.ts';
import { MAX_PAYLOAD_BYTES } from '../../../main/core/connection/options.ts';
import { parseUdpKeys, sealDatagram } from '../../../main/core/connection/udp-packet.ts';
import type { MqttEndpoint } from '../../../main/core/ota/mqtt-section.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import type { ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { CLIENT_ID, DEVICE_ID, FAST_BACKOFF, startMqttSession } from '../mqtt/mqtt-session.ts';

/** Our connect timeout in these tests: the subscription must be confirmed within it. */
const CONNECT_TIMEOUT_MS = 500;
/** Long enough for any of these states to change on a loaded machine. */
const STATE_WAIT_MS = 8_000;
/** A datagram Lumi would take has arrived well before this (loopback). */
const DATAGRAM_SETTLE_MS = 300;
const HOST = '127.0.0.1';
const KEY = '00112233445566778899aabbccddeeff';
const NONCE = '0100000012345678000000000000000a';

const sessions: Session[] = [];
let server: ReferenceServer | null = null;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function waitForState(
  connection: Connection,
  predicate: (state: ConnectionState) => boolean,
): Promise<ConnectionState> {
  if (predicate(connection.state)) return Promise.resolve(connection.state);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`state still ${JSON.stringify(connection.state)}`));
    }, STATE_WAIT_MS);
    const off = connection.on('stateChanged', (_, next) => {
      if (!predicate(next)) return;
      clearTimeout(timer);
      off();
      resolve(next);
    });
  });
}

/** An aedes broker on 127.0.0.1 whose hooks the test sets. */
async function startBroker(): Promise<{ broker: Aedes; port: number }> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const tcp: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  tcp.listen(0, HOST);
  await once(tcp, 'listening');
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('no broker port');
  return { broker, port: address.port };
}

function endpointOf(port: number): MqttEndpoint {
  return {
    host: HOST,
    port,
    tls: false,
    clientId: 'GID_test@@@hostile',
    username: '',
    password: '',
    publishTopic: 'device-server',
    subscribeTopic: 'devices/p2p/hostile',
    keepaliveSeconds: 60,
  };
}

/** A connection over the real MQTT carrier to the test's broker. */
function connectTo(port: number, junk: Partial<MqttEndpoint> = {}): Connection {
  const connection = new Connection({
    url: 'unused',
    token: null,
    deviceId: DEVICE_ID,
    clientId: CLIENT_ID,
    backoff: FAST_BACKOFF,
    carriers: (log) =>
      new MqttCarriers({
        endpoint: { ...endpointOf(port), ...junk },
        clock: systemClock,
        log,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      }),
  });
  cleanups.push(() => connection.dispose());
  connection.connect();
  return connection;
}

/** Answer every client hello on the broker with a server hello carrying `udp`. */
function answerHellos(broker: Aedes, udp: unknown): void {
  broker.on('publish', (packet, client) => {
    if (client === null || packet.topic !== 'device-server') return;
    const message = JSON.parse(Buffer.from(packet.payload).toString('utf8')) as { type?: string };
    if (message.type !== 'hello') return;
    const hello = { type: 'hello', transport: 'udp', session_id: 'hostile-1', udp };
    const reply = {
      cmd: 'publish',
      topic: endpointOf(0).subscribeTopic,
      payload: Buffer.from(JSON.stringify(hello)),
      qos: 0,
      dup: false,
      retain: false,
    } as const;
    broker.publish(reply, () => undefined);
  });
}

async function bindUdp(): Promise<UdpSocket> {
  const socket = createSocket('udp4');
  socket.bind(0, HOST);
  await once(socket, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

describe('hostile MQTT: the reference gateway publishes what no gateway should', () => {
  it('shrugs off JSON of any shape and bytes that are not UTF-8, and the next turn works', async () => {
    const h = await startMqttSession({}, {}, sessions);
    server = h.server;
    const firstTurn = nextEvent(h.session, 'turnEnded');
    h.session.sendText('你好');
    await firstTurn;
    const topic = h.server.mqttSection(DEVICE_ID).subscribe_topic;
    const junk = [
      'null',
      '[]',
      '"text"',
      '42',
      '{"type":5}',
      '{"type":"tts","state":{"nested":[1,2,3]}}',
      '{"type":"hello","transport":"udp","udp":"not an object"}',
      '{"type":"mcp","payload":null}',
      '{"type":"goodbye","session_id":{}}',
      '',
    ].map((text) => Buffer.from(text));
    junk.push(Buffer.of(0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7b));
    for (const payload of junk) await h.server.publishMqtt(topic, payload);
    const nextTurn = nextEvent(h.session, 'turnEnded');
    h.session.sendText('你好');
    expect((await nextTurn).aborted).toBe(false);
  });

  it('cuts a link that announces a message over 1 MiB, says so, and the next turn works', async () => {
    const h = await startMqttSession({}, {}, sessions);
    server = h.server;
    const firstTurn = nextEvent(h.session, 'turnEnded');
    h.session.sendText('你好');
    await firstTurn;
    const topic = h.server.mqttSection(DEVICE_ID).subscribe_topic;
    const reconnecting = nextEvent(
      h.session,
      'connectionChanged',
      (e) => e.next.kind === 'reconnecting',
    );
    const huge = `{"type":"stt","text":"${'大'.repeat(MAX_PAYLOAD_BYTES / 2)}"}`;
    await h.server.publishMqtt(topic, Buffer.from(huge));
    const { next } = await reconnecting;
    expect(next).toMatchObject({ kind: 'reconnecting', cause: { code: 'messageTooLarge' } });
    const heard = h.events.flatMap((e) => (e.type === 'userTranscribed' ? [e.text] : []));
    expect(heard.some((text) => text.startsWith('大'))).toBe(false);
    const nextTurn = nextEvent(h.session, 'turnEnded');
    h.session.sendText('你好');
    expect((await nextTurn).aborted).toBe(false);
    expect(h.server.mqttConnections.length).toBe(2);
  });
});

describe('hostile MQTT: a broker of the test', () => {
  it('gives up on a broker that accepts and never confirms the subscription', async () => {
    const { broker, port } = await startBroker();
    broker.authorizeSubscribe = () => undefined;
    const connection = connectTo(port);
    const next = await waitForState(connection, (s) => s.kind === 'reconnecting');
    expect(next).toMatchObject({ cause: { code: 'connectTimedOut', host: HOST, port } });
  });

  it.each([
    ['a topic filter MQTT forbids', { subscribeTopic: 'devices/#/p2p' }],
    ['a wildcard in the middle', { subscribeTopic: 'devices/+p2p' }],
  ])('retries with a problem when the OTA handed out %s', async (_, junk) => {
    const { port } = await startBroker();
    const connection = connectTo(port, junk);
    const next = await waitForState(connection, (s) => s.kind === 'reconnecting');
    expect(next).toMatchObject({ kind: 'reconnecting', cause: { code: expect.any(String) } });
  });

  it.each([
    ['a key that is not hex', { server: HOST, port: 9, key: 'zz'.repeat(16), nonce: NONCE }],
    ['a key of the wrong length', { server: HOST, port: 9, key: KEY.slice(2), nonce: NONCE }],
    ['port 0', { server: HOST, port: 0, key: KEY, nonce: NONCE }],
    ['port 70000', { server: HOST, port: 70_000, key: KEY, nonce: NONCE }],
    ['a fractional port', { server: HOST, port: 80.5, key: KEY, nonce: NONCE }],
    ['no server', { port: 9, key: KEY, nonce: NONCE }],
    ['a string', 'udp://127.0.0.1:9'],
    ['null', null],
  ])('fails clearly on a server hello whose udp section has %s', async (_, udp) => {
    const { broker, port } = await startBroker();
    answerHellos(broker, udp);
    const connection = connectTo(port);
    const next = await waitForState(connection, (s) => s.kind === 'failed');
    expect(next).toMatchObject({ kind: 'failed', cause: { code: 'udpMissing' } });
  });

  it('takes reply audio only from the address the hello named, whatever others send', async () => {
    const { broker, port } = await startBroker();
    const gateway = await bindUdp();
    const foreign = await bindUdp();
    const gatewayPort = (gateway.address() as { port: number }).port;
    answerHellos(broker, { server: 'localhost', port: gatewayPort, key: KEY, nonce: NONCE });
    const firstDatagram = once(gateway, 'message') as Promise<[Buffer, { port: number }]>;
    const connection = connectTo(port);
    const arrived: number[] = [];
    connection.on('audio', (_opus, _at, sequence) => arrived.push(sequence ?? -1));
    await waitForState(connection, (s) => s.kind === 'ready');
    const [, lumi] = await firstDatagram;
    const keys = parseUdpKeys(KEY, NONCE);
    if (!keys) throw new Error('bad test keys');
    const send = (from: UdpSocket, datagram: Uint8Array): void => {
      from.send(datagram, lumi.port, HOST);
    };
    // Well-formed, with the session's key: only the source tells them apart.
    send(foreign, sealDatagram(keys, Uint8Array.of(0xf8, 0xff, 0xfe), 0, 1));
    send(foreign, sealDatagram(keys, Uint8Array.of(0xf8, 0xff, 0xfe), 0, 2));
    // From the gateway: garbage, an empty payload, the longest a UDP datagram over IPv4 carries
    // (65 507 bytes less the header), a sequence at 2^32 − 1.
    send(gateway, Buffer.alloc(3));
    send(gateway, Buffer.alloc(40, 0xff));
    send(gateway, sealDatagram(keys, new Uint8Array(0), 0, 10));
    send(gateway, sealDatagram(keys, new Uint8Array(65_507 - 16), 0, 11));
    send(gateway, sealDatagram(keys, Uint8Array.of(0xf8, 0xff, 0xfe), 0, 0xffff_ffff));
    await new Promise((resolve) => setTimeout(resolve, DATAGRAM_SETTLE_MS));
    expect(arrived).toEqual([10, 11, 0xffff_ffff]);
    expect(connection.state.kind).toBe('ready');
  });
});
