/**
 * Spoken turns through the real devices: PulseAudio null sinks stand in for the microphone
 * (we play a WAV into one, Lumi records its monitor) and the speaker (Lumi plays into another,
 * we record its monitor), the reference server echoes the upstream audio as the reply.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../shared/session-events.ts';
import { createSession } from '../../../main/core/app/create-session.ts';
import { MicrophoneCapture } from '../../../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { SpeakerSink } from '../../../main/core/audio/speaker-sink.ts';
import { encodeMonoWav } from '../../../main/core/audio/wav.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import {
  loadNullSink,
  preparePulse,
  requireAudio,
  shouldSkipAudio,
  type PulseStatus,
} from '../audio/pulse.ts';

const run = promisify(execFile);
const RATE = 16_000;

const pulse: PulseStatus = await preparePulse();
const unloads: (() => Promise<void>)[] = [];
let inputSink = '';
let outputSink = '';

beforeAll(async () => {
  if (!pulse.ok) return;
  inputSink = `lumi_mic_${process.pid}`;
  outputSink = `lumi_spk_${process.pid}`;
  unloads.push(await loadNullSink(inputSink), await loadNullSink(outputSink));
  // ALSA's pulse plugin opens these instead of the daemon's defaults.
  process.env.PULSE_SOURCE = `${inputSink}.monitor`;
  process.env.PULSE_SINK = outputSink;
});

afterAll(async () => {
  for (const unload of unloads) await unload().catch(() => undefined);
});

let server: ReferenceServer | null = null;
const sessions: Session[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
});

async function setup(
  knobs: Parameters<typeof startReferenceServer>[0],
  mode: 'manual' | 'auto' = 'manual',
  idleHangupMs?: number,
) {
  requireAudio(pulse);
  server = await startReferenceServer({ mcp: false, ...knobs });
  const speaker = new SpeakerSink();
  const session = createSession({
    url: server.url,
    token: null,
    deviceId: '02:4c:55:4d:49:0c',
    clientId: '0c0c0c0c-1d1d-4e4e-8f8f-9a9a9a9a9a9a',
    sink: speaker,
    decoderFactory: (rate) => new ReplyDecoder(rate),
    mode,
    voice: {
      sourceFactory: () => new MicrophoneCapture({}),
      ...(idleHangupMs ? { idleHangupMs } : {}),
    },
  });
  sessions.push(session);
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  session.connect();
  await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
  return { srv: server, session, events };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A signal with structure a correlation can find: three tones with gaps, 1.5 s. */
function probeSignal(): Int16Array {
  const segments = [
    { hz: 440, ms: 400 },
    { hz: 0, ms: 150 },
    { hz: 880, ms: 400 },
    { hz: 0, ms: 150 },
    { hz: 660, ms: 400 },
  ];
  const out: number[] = [];
  for (const { hz, ms } of segments) {
    const n = (RATE * ms) / 1000;
    for (let i = 0; i < n; i += 1) {
      const fade = Math.min(1, i / 160, (n - i) / 160);
      out.push(hz ? Math.round(12_000 * fade * Math.sin((2 * Math.PI * hz * i) / RATE)) : 0);
    }
  }
  return Int16Array.from(out);
}

/** A first tone, then the "last syllable": 400 ms of 660 Hz that ends with the file. */
function lastSyllableSignal(): Int16Array {
  const tone = (hz: number, ms: number) => {
    const n = (RATE * ms) / 1000;
    return Array.from({ length: n }, (_, i) => {
      const fade = Math.min(1, i / 160, (n - i) / 160);
      return hz ? Math.round(12_000 * fade * Math.sin((2 * Math.PI * hz * i) / RATE)) : 0;
    });
  };
  return Int16Array.from([...tone(440, 300), ...tone(0, 100), ...tone(660, LAST_TONE_MS)]);
}
const LAST_TONE_MS = 400;

/** Length in ms of the last loud stretch of a recording (1 ms windows above a quarter of its peak). */
function lastToneMs(recording: Int16Array): number {
  const perMs = RATE / 1000;
  const peaks = Array.from({ length: Math.floor(recording.length / perMs) }, (_, ms) =>
    Math.max(...recording.subarray(ms * perMs, (ms + 1) * perMs).map(Math.abs)),
  );
  const threshold = Math.max(...peaks) / 4;
  const end = peaks.findLastIndex((peak) => peak > threshold);
  let start = end;
  // Back over the tone to the gap before it (Opus may dip for a millisecond or two inside).
  while (start > 0 && peaks.slice(Math.max(0, start - 10), start).some((p) => p > threshold)) {
    start -= 1;
  }
  return end - start + 1;
}

/**
 * Resolves when the second tone of `lastSyllableSignal` has ended on `sink`, as a low-latency
 * recorder of its monitor hears it: the moment the last syllable ends at the microphone.
 */
function secondToneEnded(sink: string): Promise<void> {
  const child = spawn('parec', [
    `--device=${sink}.monitor`,
    '--latency-msec=5',
    '--rate=16000',
    '--channels=1',
    '--format=s16le',
    '--raw',
  ]);
  const GAP_MS = 16; // quiet this long parts the tones (the gap between them is 100 ms)
  let tones = 0;
  let loudMs = 0;
  let quietMs = GAP_MS;
  let window = { samples: 0, peak: 0 };
  return new Promise((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      for (let i = 0; i + 1 < chunk.length; i += 2) {
        window = {
          samples: window.samples + 1,
          peak: Math.max(window.peak, Math.abs(chunk.readInt16LE(i))),
        };
        if (window.samples < RATE / 1000) continue;
        const isLoud = window.peak > 2_000;
        window = { samples: 0, peak: 0 };
        if (isLoud && quietMs >= GAP_MS) [tones, loudMs] = [tones + 1, 0];
        if (isLoud) [loudMs, quietMs] = [loudMs + 1, 0];
        else quietMs += 1;
        // The first quiet millisecond after most of the second tone: it has just ended.
        if (!isLoud && tones === 2 && loudMs > LAST_TONE_MS - 100) {
          child.kill('SIGTERM');
          resolve();
          return;
        }
      }
    });
  });
}

/** Record a sink's monitor as 16 kHz mono s16 until stopped. */
function recordMonitor(sink: string): { stop: () => Promise<Int16Array> } {
  const child = spawn('parec', [
    `--device=${sink}.monitor`,
    '--rate=16000',
    '--channels=1',
    '--format=s16le',
    '--raw',
  ]);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('close', () => {
          const bytes = Buffer.concat(chunks);
          resolve(new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 2)));
        });
        child.kill('SIGTERM');
      }),
  };
}

const PROBE_TONES = [440, 880, 660];
const WINDOW = 320; // 20 ms at 16 kHz

/** Per 20 ms window, the strength of each probe tone (Goertzel): a phase-blind fingerprint. */
function toneEnvelopes(signal: Int16Array): number[][] {
  const windows = Math.floor(signal.length / WINDOW);
  return PROBE_TONES.map((hz) => {
    const coefficient = 2 * Math.cos((2 * Math.PI * hz) / RATE);
    return Array.from({ length: windows }, (_, w) => {
      let s1 = 0;
      let s2 = 0;
      for (let i = w * WINDOW; i < (w + 1) * WINDOW; i += 1) {
        const s0 = signal[i]! + coefficient * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - coefficient * s1 * s2));
    });
  });
}

/**
 * Best normalised correlation of the probe's tone envelopes inside the recording's, over every
 * lag: 1 means the same tones in the same order and rhythm, whatever the level and phase.
 */
function bestCorrelation(probe: Int16Array, recording: Int16Array): number {
  const p = toneEnvelopes(probe);
  const r = toneEnvelopes(recording);
  const length = p[0]!.length;
  const pNorm = Math.sqrt(p.flat().reduce((s, x) => s + x * x, 0));
  let best = 0;
  for (let lag = 0; lag + length <= r[0]!.length; lag += 1) {
    let dot = 0;
    let energy = 0;
    for (let band = 0; band < p.length; band += 1) {
      for (let i = 0; i < length; i += 1) {
        const v = r[band]![lag + i]!;
        dot += p[band]![i]! * v;
        energy += v * v;
      }
    }
    if (energy > 0) best = Math.max(best, dot / (pNorm * Math.sqrt(energy)));
  }
  return best;
}

describe.skipIf(shouldSkipAudio(pulse))('voice turns on real devices', () => {
  it('captures, sends, hears the echo and plays it: the output correlates with the input', async () => {
    const { srv, session } = await setup({ echo: true });
    const probe = probeSignal();
    const dir = mkdtempSync(join(tmpdir(), 'lumi-voice-'));
    const wavPath = join(dir, 'probe.wav');
    writeFileSync(wavPath, encodeMonoWav(probe, RATE));

    const recorder = recordMonitor(outputSink);
    session.startTalking();
    await nextEvent(session, 'inputLevel'); // the capture stream is delivering
    await sleep(400); // past the 300 ms press threshold
    await run('paplay', [`--device=${inputSink}`, wavPath]);
    await sleep(300);
    session.stopTalking();
    const ended = await nextEvent(session, 'turnEnded', () => true, 20_000);
    expect(ended.aborted).toBe(false);
    await nextEvent(session, 'playbackDrained', () => true, 10_000).catch(() => undefined);
    await sleep(500);
    const recording = await recorder.stop();

    const start = srv.received.find((r) => r.type === 'listen' && r.message?.state === 'start');
    expect(start?.message?.mode).toBe('manual');
    expect(srv.connections.at(-1)?.binaryFrames).toBeGreaterThan(20);
    const correlation = bestCorrelation(probe, recording);
    expect(correlation).toBeGreaterThan(0.9);
    // A recording of silence (or of the wrong tones) scores low: the measure can fail.
    expect(bestCorrelation(probe, new Int16Array(recording.length))).toBe(0);
  });

  it('the last syllable arrives: a tone that ends at the release is whole at the server', async () => {
    const { session } = await setup({ echo: true });
    const dir = mkdtempSync(join(tmpdir(), 'lumi-voice-'));
    const wavPath = join(dir, 'last-syllable.wav');
    writeFileSync(wavPath, encodeMonoWav(lastSyllableSignal(), RATE));

    const recorder = recordMonitor(outputSink);
    session.startTalking();
    await nextEvent(session, 'inputLevel');
    await sleep(400);
    const ended = secondToneEnded(inputSink);
    const played = run('paplay', [`--device=${inputSink}`, wavPath]);
    await ended; // the key comes up as the last tone ends
    session.stopTalking();
    await played;
    await nextEvent(session, 'turnEnded', () => true, 20_000);
    await nextEvent(session, 'playbackDrained', () => true, 10_000).catch(() => undefined);
    await sleep(300);
    const echoed = lastToneMs(await recorder.stop());
    // The echo carries all of the tone (fades and window edges cost at most 40 ms).
    expect(echoed).toBeGreaterThanOrEqual(LAST_TONE_MS - 40);
    expect(echoed).toBeLessThanOrEqual(LAST_TONE_MS + 40);
  });

  it('a press shorter than 300 ms sends nothing', async () => {
    const { srv, session } = await setup({});
    session.startTalking();
    await sleep(120);
    session.stopTalking();
    await sleep(500);
    expect(srv.received.filter((r) => r.type === 'listen')).toHaveLength(0);
    expect(srv.connections.at(-1)?.binaryFrames ?? 0).toBe(0);
  });

  it('barge-in: pressing while Lumi speaks aborts, flushes and listens', async () => {
    const { srv, session } = await setup({
      replyFor: () => ['一个很长很长很长很长很长很长很长很长的句子。', '第二句。'],
    });
    const sentence = nextEvent(session, 'sentenceStarted');
    session.sendText('talk a lot');
    await sentence;
    const aborted = nextEvent(session, 'turnEnded', (e) => e.aborted);
    session.startTalking();
    await aborted;
    await sleep(500);
    session.stopTalking();
    await srv.waitFor((r) => r.type === 'listen' && r.message?.state === 'stop');
    const order = srv.received
      .filter((r) => r.type === 'abort' || r.type === 'listen')
      .map((r) =>
        r.type === 'abort'
          ? `abort:${String(r.message?.reason)}`
          : `listen:${String(r.message?.state)}`,
      );
    expect(order.slice(0, 4)).toEqual([
      'listen:detect',
      'abort:wake_word_detected',
      'listen:start',
      'listen:stop',
    ]);
  });

  it('hands-free reopens the microphone only after the reply has drained', async () => {
    const { srv, session } = await setup({}, 'auto');
    session.startTalking();
    await srv.waitFor((r) => r.type === 'listen' && r.message?.state === 'start');
    const drained = nextEvent(session, 'playbackDrained', () => true, 20_000);
    const stopAt = { t: 0 };
    const ended = nextEvent(session, 'turnEnded').then(() => (stopAt.t = performance.now()));
    srv.speak(['你好。']);
    await ended;
    await drained;
    const drainedAt = performance.now();
    const again = await srv.waitFor(
      (r) =>
        r.type === 'listen' &&
        r.message?.state === 'start' &&
        r.message?.mode === 'auto' &&
        r.seq > 1,
      10_000,
    );
    expect(again.message?.mode).toBe('auto');
    // The second listen start came after the local drain, not at tts stop.
    expect(again.at).toBeGreaterThanOrEqual(drainedAt - 5);
    expect(drainedAt).toBeGreaterThan(stopAt.t);
  });

  it('hands-free hangs up by itself after a quiet spell; the next press reconnects', async () => {
    const { session } = await setup({}, 'auto', 1_500);
    session.startTalking();
    const closed = await nextEvent(
      session,
      'connectionChanged',
      (e) => e.next.kind === 'disconnected',
      10_000,
    );
    expect(closed.next.kind === 'disconnected' && closed.next.reason).toBe('user');
    session.startTalking();
    await nextEvent(session, 'connectionChanged', (e) => e.next.kind === 'ready');
    session.startTalking(); // toggles hands-free off again
  });
});
