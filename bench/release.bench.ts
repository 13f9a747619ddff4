/**
 * latency.release_to_stop: push-to-talk key up → `listen stop` on the wire, against the reference
 * server on loopback, with the real microphone (the PulseAudio null sink's monitor). Baseline:
 * the same turns with the old fixed 250 ms tail, interleaved, so the machine's drift divides out.
 * Turns start after the server's tool handshake is over: the first turn of a session may wait for
 * it (turn-gate.ts), which is a different figure (turn.first_after_connect).
 */
import { performance } from 'node:perf_hooks';
import { createSession } from '../main/core/app/create-session.ts';
import { MicrophoneCapture } from '../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { NullSink } from '../main/core/audio/wav-sink.ts';
import type { Session } from '../main/core/session/session.ts';
import { MIN_PRESS } from '../main/core/session/voice-turns.ts';
import type { SessionEvent } from '../shared/session-events.ts';
import { startReferenceServer, type ReferenceServer } from '../tests/fixtures/reference-server.ts';
import { againstBaseline } from './stats.ts';
import type { BenchResult } from './types.ts';

const TURNS = 8;
/** The tail Lumi used before the capture pipeline was flushed at release. */
const OLD_RELEASE_TAIL = 250;
/** Past the press threshold, with some speech frames sent. */
const HOLD_MS = MIN_PRESS + 200;
/** Without `initialize` the turn gate opens 1 s after hello. */
const GATE_OPEN_MS = 1_200;

export default async function run(): Promise<BenchResult[]> {
  const server = await startReferenceServer({ mcp: false });
  const lumi = await openSession(server, undefined);
  const old = await openSession(server, OLD_RELEASE_TAIL);
  try {
    await sleep(GATE_OPEN_MS);
    const times = { lumi: [] as number[], old: [] as number[] };
    for (let i = 0; i < TURNS; i += 1) {
      times.lumi.push(await releaseToStop(server, lumi));
      times.old.push(await releaseToStop(server, old));
    }
    return [againstBaseline('latency.release_to_stop', 'ms', times.lumi, times.old, '≤ 120')];
  } finally {
    await lumi.close();
    await old.close();
    await server.stop();
  }
}

async function openSession(
  server: ReferenceServer,
  releaseTailMs: number | undefined,
): Promise<Session> {
  const session = createSession({
    url: server.url,
    token: null,
    deviceId: '02:4c:55:4d:49:0d',
    clientId: '0d0d0d0d-1e1e-4f4f-8a8a-9b9b9b9b9b9b',
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
    voice: {
      sourceFactory: () => new MicrophoneCapture({}),
      ...(releaseTailMs === undefined ? {} : { releaseTailMs }),
    },
  });
  session.connect();
  await waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  return session;
}

/** One push-to-talk turn: ms from the key coming up to the server receiving `listen stop`. */
async function releaseToStop(server: ReferenceServer, session: Session): Promise<number> {
  const ended = waitFor(session, (e) => e.type === 'turnEnded');
  const since = server.received.length;
  session.startTalking();
  await waitFor(session, (e) => e.type === 'inputLevel');
  await sleep(HOLD_MS);
  const releasedAt = performance.now();
  session.stopTalking();
  const stop = await server.waitFor(
    (r) =>
      r.type === 'listen' && r.message?.state === 'stop' && server.received.indexOf(r) >= since,
    5_000,
  );
  await ended;
  return stop.at - releasedAt;
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
