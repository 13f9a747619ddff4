/**
 * Session benchmarks against the reference server on loopback:
 * - reconnect.after_restart: ms from a server restart to `ready` again (default backoff);
 * - turn.first_response / turn.total: a typed turn through Lumi's session, with `baseline` =
 *   the same turn by a bare `ws` client, so `ratio` is the client's own overhead.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { createSession } from '../main/core/app/create-session.ts';
import { STABLE_AFTER } from '../main/core/connection/connection.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { NullSink } from '../main/core/audio/wav-sink.ts';
import {
  buildHello,
  listenDetect,
  encodeClientMessage,
} from '../main/core/protocol/client-messages.ts';
import type { Session } from '../main/core/session/session.ts';
import type { SessionEvent } from '../shared/session-events.ts';
import { startReferenceServer, type ReferenceServer } from '../tests/fixtures/reference-server.ts';
import type { BenchResult } from './types.ts';

const TURNS = 12;
/** Restarts are spaced past STABLE_AFTER, so each one starts from a settled backoff. */
const RESTARTS = 3;
const DEVICE_ID = '02:4c:55:4d:49:0b';
const CLIENT_ID = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';

export default async function run(): Promise<BenchResult[]> {
  const server = await startReferenceServer({ mcp: false, replyFor: () => ['好。'] });
  try {
    const lumi = await lumiTurns(server);
    const raw = await rawTurns(server);
    const reconnect = await reconnects(server);
    return [
      {
        name: 'turn.first_response',
        value: median(lumi.first),
        unit: 'ms',
        baseline: median(raw.first),
        ratio: median(lumi.first) / Math.max(0.001, median(raw.first)),
      },
      {
        name: 'turn.total',
        value: median(lumi.total),
        unit: 'ms',
        baseline: median(raw.total),
        ratio: median(lumi.total) / Math.max(0.001, median(raw.total)),
      },
      {
        name: 'reconnect.after_restart',
        value: median(reconnect),
        unit: 'ms',
        target: '≤ 1000 (first retry within 1 s)',
      },
    ];
  } finally {
    await server.stop();
  }
}

function newSession(server: ReferenceServer): Session {
  return createSession({
    url: server.url,
    token: null,
    deviceId: DEVICE_ID,
    clientId: CLIENT_ID,
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
  });
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

async function lumiTurns(server: ReferenceServer): Promise<{ first: number[]; total: number[] }> {
  const session = newSession(server);
  const first: number[] = [];
  const total: number[] = [];
  session.connect();
  await waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  for (let i = 0; i < TURNS; i += 1) {
    const start = performance.now();
    const stt = waitFor(session, (e) => e.type === 'userTranscribed');
    const ended = waitFor(session, (e) => e.type === 'turnEnded');
    session.sendText(`turn ${i}`);
    await stt;
    first.push(performance.now() - start);
    await ended;
    total.push(performance.now() - start);
  }
  await session.close();
  return { first, total };
}

async function rawTurns(server: ReferenceServer): Promise<{ first: number[]; total: number[] }> {
  const socket = new WebSocket(server.url, {
    headers: { 'Device-Id': DEVICE_ID, 'Client-Id': CLIENT_ID, 'Protocol-Version': '1' },
    perMessageDeflate: false,
  });
  const messages: ((text: string) => void)[] = [];
  socket.on('message', (data, binary) => {
    if (!binary) for (const listener of [...messages]) listener(String(data));
  });
  const next = (accept: (m: { type?: string; state?: string }) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const listener = (text: string): void => {
        if (!accept(JSON.parse(text) as { type?: string; state?: string })) return;
        messages.splice(messages.indexOf(listener), 1);
        resolve();
      };
      messages.push(listener);
    });
  await new Promise((resolve) => socket.once('open', resolve));
  const hello = next((m) => m.type === 'hello');
  socket.send(JSON.stringify(buildHello()));
  await hello;
  const first: number[] = [];
  const total: number[] = [];
  for (let i = 0; i < TURNS; i += 1) {
    const start = performance.now();
    const stt = next((m) => m.type === 'stt');
    const stop = next((m) => m.type === 'tts' && m.state === 'stop');
    socket.send(encodeClientMessage(listenDetect(`turn ${i}`), null));
    await stt;
    first.push(performance.now() - start);
    await stop;
    total.push(performance.now() - start);
  }
  socket.close();
  return { first, total };
}

async function reconnects(server: ReferenceServer): Promise<number[]> {
  const session = newSession(server);
  session.connect();
  await waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  const times: number[] = [];
  for (let i = 0; i < RESTARTS; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, STABLE_AFTER + 500));
    const ready = waitFor(
      session,
      (e) => e.type === 'connectionChanged' && e.next.kind === 'ready',
    );
    const start = performance.now();
    await server.restart();
    await ready;
    times.push(performance.now() - start);
  }
  await session.close();
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
