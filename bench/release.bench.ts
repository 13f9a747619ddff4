/**
 * latency.release_to_stop: push-to-talk key up → `listen stop` on the wire, against the reference
 * server on loopback, with the real microphone (the PulseAudio null sink's monitor). Baseline:
 * the same turns with the old fixed 250 ms tail, interleaved, so the machine's drift divides out.
 * Turns start after the server's tool handshake is over: the first turn of a session may wait for
 * it (turn-gate.ts), which is a different figure (turn.first_after_connect).
 */
import { performance } from 'node:perf_hooks';
import { createSession } from '../main/core/app/create-session.ts';
import { loadAudioBackend } from '../main/core/audio/devices.ts';
import { MicrophoneCapture } from '../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { NullSink } from '../main/core/audio/wav-sink.ts';
import type { Session } from '../main/core/session/session.ts';
import { MIN_PRESS } from '../main/core/session/voice-turns.ts';
import { describeProblem, problemOf } from '../shared/problem-english.ts';
import type { SessionEvent } from '../shared/session-events.ts';
import { startReferenceServer, type ReferenceServer } from '../tests/fixtures/reference-server.ts';
import { againstBaseline } from './stats.ts';
import type { BenchOutcome } from './types.ts';

const NAME = 'latency.release_to_stop';
const TURNS = 8;
/** The tail Lumi used before the capture pipeline was flushed at release. */
const OLD_RELEASE_TAIL = 250;
/** Past the press threshold, with some speech frames sent. */
const HOLD_MS = MIN_PRESS + 200;
/** Without `initialize` the turn gate opens 1 s after hello. */
const GATE_OPEN_MS = 1_200;
/**
 * Longest any step of a turn may take (PulseAudio starts a capture within ~1 s): a step that
 * takes longer failed, and the bench says so instead of waiting for good.
 */
const STEP_TIMEOUT_MS = 10_000;

export default async function run(): Promise<BenchOutcome[]> {
  const missing = await missingMicrophone();
  if (missing) return [{ name: NAME, error: missing }];
  const server = await startReferenceServer({ mcp: false });
  const sessions: Session[] = [];
  try {
    const lumi = await openSession(server, undefined, sessions);
    const old = await openSession(server, OLD_RELEASE_TAIL, sessions);
    await sleep(GATE_OPEN_MS);
    const times = { lumi: [] as number[], old: [] as number[] };
    for (let i = 0; i < TURNS; i += 1) {
      times.lumi.push(await releaseToStop(server, lumi));
      times.old.push(await releaseToStop(server, old));
    }
    return [againstBaseline(NAME, 'ms', times.lumi, times.old, '≤ 120')];
  } catch (error) {
    return [{ name: NAME, error: error instanceof Error ? error.message : String(error) }];
  } finally {
    for (const session of sessions) await session.close();
    await server.stop();
  }
}

/** Why there is no microphone to measure with (naudiodon did not load, no input device), or null. */
async function missingMicrophone(): Promise<string | null> {
  try {
    const backend = await loadAudioBackend();
    if (backend.getDevices().some((device) => device.maxInputChannels > 0)) return null;
    return 'no audio input device (the bench starts PulseAudio with scripts/pulse-null.sh; did it fail?)';
  } catch (error) {
    return `no microphone to measure with: ${describeProblem(problemOf(error))}`;
  }
}

async function openSession(
  server: ReferenceServer,
  releaseTailMs: number | undefined,
  opened: Session[],
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
  opened.push(session);
  session.connect();
  await waitFor(session, 'ready', (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  return session;
}

/** One push-to-talk turn: ms from the key coming up to the server receiving `listen stop`. */
async function releaseToStop(server: ReferenceServer, session: Session): Promise<number> {
  const ended = waitFor(session, 'the end of the turn', (e) => e.type === 'turnEnded');
  // Awaited below; a failure of an earlier step must not leave this rejection unhandled.
  ended.catch(() => undefined);
  const since = server.received.length;
  session.startTalking();
  await waitFor(session, 'captured audio', (e) => e.type === 'inputLevel');
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

/**
 * The first event `accept` takes; rejects when the session reports a device or other error
 * first, or after STEP_TIMEOUT_MS (`what` names the step in the message).
 */
function waitFor(
  session: Session,
  what: string,
  accept: (e: SessionEvent) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null): void => {
      clearTimeout(timer);
      off();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(
      () => finish(new Error(`no ${what} within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
    const off = session.onEvent((event) => {
      if (event.type === 'deviceError' || event.type === 'errorOccurred') {
        finish(new Error(`waiting for ${what}: ${describeProblem(event.problem)}`));
      } else if (accept(event)) finish(null);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
