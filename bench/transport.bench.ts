/**
 * `turn.first_response.mqtt` (issue 13): a typed turn through Lumi's session over MQTT + UDP,
 * from typing to the server's `stt`, against the reference server's gateway on loopback;
 * `baseline` = the same turn through Lumi over the WebSocket of the same server, the two sessions
 * open side by side and their turns alternating, so `ratio` is what the MQTT path (publish to the
 * broker, the gateway's bridge, the subscription back) adds to a turn.
 */
import { performance } from 'node:perf_hooks';
import type { SessionEvent } from '../shared/session-events.ts';
import { createSession } from '../main/core/app/create-session.ts';
import { transportOptions } from '../main/core/app/transport-setup.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { NullSink } from '../main/core/audio/wav-sink.ts';
import type { ConnectionOptions } from '../main/core/connection/connection.ts';
import { parseMqttSection } from '../main/core/ota/mqtt-section.ts';
import type { Session } from '../main/core/session/session.ts';
import { startReferenceServer, type ReferenceServer } from '../tests/fixtures/reference-server.ts';
import { againstBaseline } from './stats.ts';
import type { BenchResult } from './types.ts';

const TURNS = 12;
/** Two devices, so the gateway and the WebSocket server never mistake one for the other. */
const MQTT_DEVICE = '02:4c:55:4d:51:0b';
const WS_DEVICE = '02:4c:55:4d:57:0b';
const CLIENT_ID = '0b0b0b0b-2d2d-4e4e-8f8f-9a9a9a9a9a9a';

export default async function run(): Promise<BenchResult[]> {
  const server = await startReferenceServer({ mcp: false, replyFor: () => ['好。'] });
  const sessions: Session[] = [];
  try {
    const mqtt = await readySession(server, MQTT_DEVICE, await mqttOptions(server), sessions);
    const ws = await readySession(server, WS_DEVICE, {}, sessions);
    const times = { mqtt: [] as number[], ws: [] as number[] };
    for (let i = 0; i < TURNS; i += 1) {
      times.mqtt.push(await firstResponse(mqtt, `turn ${i}`));
      times.ws.push(await firstResponse(ws, `turn ${i}`));
    }
    return [
      againstBaseline('turn.first_response.mqtt', 'ms', times.mqtt, times.ws, '≤ 1.2 × WebSocket'),
    ];
  } finally {
    for (const session of sessions) await session.close();
    await server.stop();
  }
}

async function mqttOptions(server: ReferenceServer): Promise<Partial<ConnectionOptions>> {
  const mqtt = parseMqttSection(server.mqttSection(MQTT_DEVICE));
  if (!mqtt) throw new Error('the reference server handed out an unusable mqtt section');
  return transportOptions({
    url: 'unused',
    token: null,
    protocolVersion: 1,
    ca: null,
    mqtt,
    webSocketFallback: false,
  });
}

async function readySession(
  server: ReferenceServer,
  deviceId: string,
  connection: Partial<ConnectionOptions>,
  sessions: Session[],
): Promise<Session> {
  const session = createSession({
    url: server.url,
    token: null,
    deviceId,
    clientId: CLIENT_ID,
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
    connection,
  });
  sessions.push(session);
  const ready = waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  session.connect();
  await ready;
  return session;
}

/** Ms from typing to the server's `stt`; resolves once the whole reply is over. */
async function firstResponse(session: Session, text: string): Promise<number> {
  const start = performance.now();
  const stt = waitFor(session, (e) => e.type === 'userTranscribed');
  const ended = waitFor(session, (e) => e.type === 'turnEnded');
  session.sendText(text);
  await stt;
  const ms = performance.now() - start;
  await ended;
  return ms;
}

function waitFor(session: Session, accept: (e: SessionEvent) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = session.onEvent((event) => {
      if (!accept(event)) return;
      off();
      resolve();
    });
  });
}
