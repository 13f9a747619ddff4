/**
 * Delivery benchmarks against the reference server on loopback, with Lumi's default timings:
 * - detect.frozen_mid_turn: ms from typing a message to a server that froze (knob `freeze`: it
 *   reads nothing and answers no ping, as a SIGSTOPped process) until Lumi's connection leaves
 *   `ready`, so the unconfirmed message can go again on a new socket. Before issue 11 only the
 *   periodic ping (every 30 s, 10 s to answer) noticed, ~35 s on average; now the ping sent
 *   right after the write does, within the pong timeout.
 */
import { performance } from 'node:perf_hooks';
import { createSession } from '../main/core/app/create-session.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { NullSink } from '../main/core/audio/wav-sink.ts';
import type { Session } from '../main/core/session/session.ts';
import type { SessionEvent } from '../shared/session-events.ts';
import { startReferenceServer } from '../tests/fixtures/reference-server.ts';
import type { BenchResult } from './types.ts';

/** Each run waits out a pong timeout (10 s). */
const FREEZES = 3;
const DEVICE_ID = '02:4c:55:4d:49:0c';
const CLIENT_ID = '0c0c0c0c-1d1d-4e4e-8f8f-9a9a9a9a9a9a';

export default async function run(): Promise<BenchResult[]> {
  const times: number[] = [];
  for (let i = 0; i < FREEZES; i += 1) times.push(await frozenMidTurn());
  return [
    {
      name: 'detect.frozen_mid_turn',
      value: median(times),
      unit: 'ms',
      target: '≤ 15000',
    },
  ];
}

async function frozenMidTurn(): Promise<number> {
  const server = await startReferenceServer({ mcp: false });
  const session = createSession({
    url: server.url,
    token: null,
    deviceId: DEVICE_ID,
    clientId: CLIENT_ID,
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
  });
  try {
    session.connect();
    await waitFor(session, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
    server.setKnobs({ freeze: true });
    const left = waitFor(
      session,
      (e) => e.type === 'connectionChanged' && e.previous.kind === 'ready',
    );
    const start = performance.now();
    session.sendText('are you there?');
    await left;
    return performance.now() - start;
  } finally {
    await session.close();
    await server.stop();
  }
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
