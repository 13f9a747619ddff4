/**
 * Session benchmarks against the reference server on loopback:
 * - reconnect.after_restart: ms from a server restart to `ready` again (default backoff);
 * - turn.first_response / turn.total: a typed turn through Lumi's session, with `baseline` =
 *   the same turn by a bare `ws` client, so `ratio` is the client's own overhead;
 * - turn.first_after_connect.mcp / .no_mcp: from connect + typing the first message to the
 *   server's `stt`, against a server with the real servers' MCP timing (the turn waits for its
 *   tools/list, ~1.1 s after hello) and one without MCP (the turn waits for the 1 s without
 *   `initialize`); `baseline` = a bare client that sends right after hello, so value − baseline
 *   is the wait the turn gate adds.
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
import {
  REAL_MCP_TIMING,
  startReferenceServer,
  type ReferenceServer,
} from '../tests/fixtures/reference-server.ts';
import { openToolSession } from '../tests/helpers/tool-session.ts';
import { againstBaseline, fromRuns, median } from './stats.ts';
import type { BenchResult } from './types.ts';

const TURNS = 12;
/** Each first turn needs a fresh connection and ~1.1 s of handshake. */
const FIRST_TURNS = 5;
/** Restarts are spaced past STABLE_AFTER, so each one starts from a settled backoff. */
const RESTARTS = 3;
const DEVICE_ID = '02:4c:55:4d:49:0b';
const CLIENT_ID = '0b0b0b0b-1c1c-4d4d-8e8e-9f9f9f9f9f9f';

export default async function run(): Promise<BenchResult[]> {
  const server = await startReferenceServer({ mcp: false, replyFor: () => ['好。'] });
  try {
    const turns = await interleavedTurns(server);
    const reconnect = await reconnects(server);
    const firstAfterConnect = await firstTurns();
    return [
      ...firstAfterConnect,
      againstBaseline('turn.first_response', 'ms', turns.lumi.first, turns.raw.first),
      againstBaseline('turn.total', 'ms', turns.lumi.total, turns.raw.total),
      fromRuns('reconnect.after_restart', 'ms', reconnect, '≤ 1000 (first retry within 1 s)'),
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

interface Turns {
  readonly first: number[];
  readonly total: number[];
}

/** One typed turn: ms to the server's `stt`, and to the end of the reply. */
interface TurnDriver {
  turn(text: string): Promise<{ first: number; total: number }>;
  close(): Promise<void>;
}

/** Lumi's turns and a bare client's, alternating on two open connections to one server. */
async function interleavedTurns(server: ReferenceServer): Promise<{ lumi: Turns; raw: Turns }> {
  const drivers = { lumi: await lumiDriver(server), raw: await rawDriver(server) };
  const times = { lumi: { first: [], total: [] } as Turns, raw: { first: [], total: [] } as Turns };
  try {
    for (let i = 0; i < TURNS; i += 1) {
      for (const who of ['lumi', 'raw'] as const) {
        const { first, total } = await drivers[who].turn(`turn ${i}`);
        times[who].first.push(first);
        times[who].total.push(total);
      }
    }
  } finally {
    await drivers.lumi.close();
    await drivers.raw.close();
  }
  return times;
}

async function lumiDriver(server: ReferenceServer): Promise<TurnDriver> {
  const session = newSession(server);
  session.connect();
  await waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  return {
    async turn(text) {
      const start = performance.now();
      const stt = waitFor(session, (e) => e.type === 'userTranscribed');
      const ended = waitFor(session, (e) => e.type === 'turnEnded');
      session.sendText(text);
      await stt;
      const first = performance.now() - start;
      await ended;
      return { first, total: performance.now() - start };
    },
    close: () => session.close(),
  };
}

async function rawDriver(server: ReferenceServer): Promise<TurnDriver> {
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
  return {
    async turn(text) {
      const start = performance.now();
      const stt = next((m) => m.type === 'stt');
      const stop = next((m) => m.type === 'tts' && m.state === 'stop');
      socket.send(encodeClientMessage(listenDetect(text), null));
      await stt;
      const first = performance.now() - start;
      await stop;
      return { first, total: performance.now() - start };
    },
    close: async () => socket.close(),
  };
}

/** The first typed turn of fresh sessions, with and without an MCP client on the server. */
async function firstTurns(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const mcp of [true, false]) {
    const server = await startReferenceServer({
      ...REAL_MCP_TIMING,
      mcp,
      replyFor: () => ['好。'],
    });
    try {
      const lumi: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < FIRST_TURNS; i += 1) {
        lumi.push(await lumiFirstTurn(server));
        raw.push(await rawFirstTurn(server));
      }
      results.push({
        ...fromRuns(
          `turn.first_after_connect.${mcp ? 'mcp' : 'no_mcp'}`,
          'ms',
          lumi,
          mcp ? '≈ tools/list + 1 frame (server lists ~1.1 s after hello)' : '≈ 1 s wait',
        ),
        baseline: median(raw),
      });
    } finally {
      await server.stop();
    }
  }
  return results;
}

async function lumiFirstTurn(server: ReferenceServer): Promise<number> {
  const opened = openToolSession(server.url);
  const start = performance.now();
  const stt = waitFor(opened.session, (e) => e.type === 'userTranscribed');
  opened.session.connect();
  opened.session.sendText('first');
  await stt;
  const ms = performance.now() - start;
  await opened.close();
  return ms;
}

async function rawFirstTurn(server: ReferenceServer): Promise<number> {
  const start = performance.now();
  const socket = new WebSocket(server.url, {
    headers: { 'Device-Id': DEVICE_ID, 'Client-Id': CLIENT_ID, 'Protocol-Version': '1' },
    perMessageDeflate: false,
  });
  await new Promise<void>((resolve) => {
    socket.on('message', (data, binary) => {
      if (binary) return;
      const message = JSON.parse(String(data)) as { type?: string };
      if (message.type === 'hello') socket.send(encodeClientMessage(listenDetect('first'), null));
      if (message.type === 'stt') resolve();
    });
    socket.once('open', () => socket.send(JSON.stringify(buildHello({ mcp: false }))));
  });
  const ms = performance.now() - start;
  socket.close();
  return ms;
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
