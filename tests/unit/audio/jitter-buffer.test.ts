import { describe, expect, it } from 'vitest';
import { JitterBuffer } from '../../../main/core/audio/jitter-buffer.ts';
import type { JitterBufferOptions, PullKind } from '../../../main/core/audio/jitter-buffer.ts';

const RATE = 48_000;
const FRAME_MS = 60;
const FRAME = (RATE * FRAME_MS) / 1000;
const BLOCK_MS = 20;
const BLOCK = (RATE * BLOCK_MS) / 1000;
/** xiaozhi-esp32-server: 5 frames at once, then one per 60 ms; `tts stop` 420 ms after the last. */
const BURST = 5;
const TTS_STOP_AFTER_MS = 420;
/** A frame plays as thousands of equal samples; a fading concealment changes every few. */
const MIN_RUN = 100;

interface Arrival {
  readonly at: number;
  readonly pcm: Int16Array;
}

/** Frame k holds the constant 1000 + k (or 0 for a pause), so the output tells who played when. */
function frame(k: number, silent = false): Int16Array {
  return new Int16Array(FRAME).fill(silent ? 0 : 1000 + k);
}

/** When each frame is sent on the server's schedule: burst, then paced. */
function serverSchedule(count: number, burst = BURST): number[] {
  return Array.from({ length: count }, (_, k) => (k < burst ? 0 : (k - burst + 1) * FRAME_MS));
}

/** TCP delivers in order: a frame held up holds up every frame behind it. */
function inOrder(times: number[]): number[] {
  let last = -Infinity;
  return times.map((t) => (last = Math.max(last, t)));
}

/** A stall: nothing arrives between `from` and `from + ms`, then the backlog arrives at once. */
function stall(times: number[], from: number, ms: number): number[] {
  return times.map((t) => (t >= from && t < from + ms ? from + ms : t));
}

interface Run {
  readonly kinds: PullKind[];
  readonly pullTimes: number[];
  readonly output: Int16Array;
  readonly targets: number[];
  readonly drainedAt: number | null;
}

/** Drives the buffer in 1 ms steps: arrivals first, then `end()`, then a pull every block. */
function simulate(
  buffer: JitterBuffer,
  arrivals: Arrival[],
  options: { endAt: number | null; untilMs: number; onPull?: (t: number) => void },
): Run {
  const kinds: PullKind[] = [];
  const pullTimes: number[] = [];
  const targets: number[] = [];
  const output = new Int16Array(Math.ceil(options.untilMs / BLOCK_MS) * BLOCK);
  let next = 0;
  let drainedAt: number | null = null;
  buffer.begin();
  for (let t = 0; t < options.untilMs; t++) {
    while (next < arrivals.length && (arrivals[next]?.at ?? Infinity) <= t) {
      const arrival = arrivals[next++];
      if (arrival) buffer.push(arrival.pcm, arrival.at);
    }
    if (t === options.endAt && buffer.end()) drainedAt = t;
    if (t % BLOCK_MS === 0) {
      const block = output.subarray(kinds.length * BLOCK, (kinds.length + 1) * BLOCK);
      const kind = buffer.pull(block);
      if (kind === 'drained') drainedAt = t;
      kinds.push(kind);
      pullTimes.push(t);
      targets.push(buffer.stats.targetMs);
      options.onPull?.(t);
    }
  }
  return { kinds, pullTimes, output, targets, drainedAt };
}

/** When the first sample of frame k was pulled (the frame's constant value first appears). */
function playoutTime(run: Run, k: number): number | null {
  const index = run.output.indexOf(1000 + k);
  return index < 0 ? null : (run.pullTimes[Math.floor(index / BLOCK)] ?? null);
}

/** Frame values in the order they were played: runs of one value (concealment never holds one). */
function playedOrder(output: Int16Array): number[] {
  const order: number[] = [];
  let run = 0;
  for (let i = 0; i < output.length; i++) {
    const value = output[i] ?? 0;
    run = i > 0 && output[i - 1] === value ? run + 1 : 1;
    if (value >= 1000 && run === MIN_RUN && order[order.length - 1] !== value) order.push(value);
  }
  return order;
}

function arrivalsAt(times: number[], silentEvery = 0): Arrival[] {
  return times.map((at, k) => ({ at, pcm: frame(k, silentEvery > 0 && k % silentEvery === 0) }));
}

function makeBuffer(options: Partial<JitterBufferOptions> = {}): JitterBuffer {
  return new JitterBuffer({ sampleRate: RATE, ...options });
}

describe('JitterBuffer', () => {
  it('plays the real burst-then-pace pattern without a single underrun', () => {
    const count = 40;
    const times = serverSchedule(count);
    const last = times[count - 1] ?? 0;
    const buffer = makeBuffer();
    const run = simulate(buffer, arrivalsAt(times), {
      endAt: last + TTS_STOP_AFTER_MS,
      untilMs: last + 1_000,
    });

    expect(run.kinds[0]).toBe('playing');
    expect(buffer.stats).toMatchObject({
      underruns: 0,
      concealedMs: 0,
      droppedFrames: 0,
      lateFrames: 0,
    });
    expect(playedOrder(run.output)).toEqual(Array.from({ length: count }, (_, k) => 1000 + k));
    // The buffer ran dry ~300 ms after the last frame, but that was the end of the reply: it
    // drains as soon as `tts stop` says so, without counting the wait as concealment.
    expect(run.drainedAt).toBe(last + TTS_STOP_AFTER_MS);
    expect(run.kinds.filter((kind) => kind === 'drained').length).toBeLessThanOrEqual(1);
  });

  it('starts only after the prebuffer when frames trickle in without a burst', () => {
    const buffer = makeBuffer({ prebufferMs: 100 });
    const run = simulate(buffer, arrivalsAt(serverSchedule(10, 1)), {
      endAt: null,
      untilMs: 200,
    });
    // Frame 0 at 0 ms and frame 1 at 60 ms make 120 ms ≥ 100 ms: playback starts at 60 ms.
    expect(run.kinds.slice(0, 3)).toEqual(['prebuffering', 'prebuffering', 'prebuffering']);
    expect(run.kinds[3]).toBe('playing');
  });

  it('conceals a 500 ms stall as one bounded underrun, then recovers with every frame', () => {
    const count = 50;
    const times = inOrder(stall(serverSchedule(count), 1_000, 500));
    const last = times[count - 1] ?? 0;
    const buffer = makeBuffer();
    const run = simulate(buffer, arrivalsAt(times), {
      endAt: last + TTS_STOP_AFTER_MS,
      untilMs: last + 1_000,
    });

    const stats = buffer.stats;
    expect(stats.underruns).toBe(1);
    // The buffer held ~300 ms when the stall began, so about 200 ms had to be concealed.
    expect(stats.concealedMs).toBeGreaterThan(100);
    expect(stats.concealedMs).toBeLessThanOrEqual(500);
    expect(stats.lateFrames).toBeGreaterThanOrEqual(1);
    expect(stats.droppedFrames).toBe(0);
    const resumed = run.pullTimes.findIndex((t, i) => t > 1_500 && run.kinds[i] === 'playing');
    expect(run.kinds.slice(resumed).filter((kind) => kind === 'concealing')).toEqual([]);
    expect(playedOrder(run.output)).toEqual(Array.from({ length: count }, (_, k) => 1000 + k));
    expect(run.drainedAt).not.toBeNull();
  });

  it('fades concealment out to silence and back in without a jump', () => {
    const tone = (k: number): Int16Array =>
      Int16Array.from({ length: FRAME }, (_, i) =>
        Math.round(8_000 * Math.sin((2 * Math.PI * 200 * (k * FRAME + i)) / RATE)),
      );
    const times = inOrder(stall(serverSchedule(30), 600, 800));
    const buffer = makeBuffer();
    const run = simulate(
      buffer,
      times.map((at, k) => ({ at, pcm: tone(k) })),
      { endAt: null, untilMs: 1_800 },
    );
    // A 200 Hz sine of amplitude 8000 moves at most ~210 per sample at 48 kHz.
    let largestStep = 0;
    for (let i = 1; i < run.output.length; i++) {
      largestStep = Math.max(
        largestStep,
        Math.abs((run.output[i] ?? 0) - (run.output[i - 1] ?? 0)),
      );
    }
    expect(largestStep).toBeLessThan(600);
    const concealing = run.kinds.indexOf('concealing');
    const silentBlock = run.output.subarray((concealing + 4) * BLOCK, (concealing + 5) * BLOCK);
    expect(silentBlock.every((x) => x === 0)).toBe(true);
  });

  it('adapts its target to 10 % late frames, within bounds, and stops underrunning', () => {
    const count = 100;
    const sent = serverSchedule(count, 1);
    const times = inOrder(sent.map((t, k) => (k % 10 === 3 ? t + 150 : t)));
    const buffer = makeBuffer();
    const run = simulate(buffer, arrivalsAt(times), { endAt: null, untilMs: 7_000 });

    const stats = buffer.stats;
    expect(stats.underruns).toBeGreaterThanOrEqual(1);
    expect(stats.underruns).toBeLessThanOrEqual(2);
    expect(Math.max(...run.targets)).toBeLessThanOrEqual(300);
    const learned = run.targets[run.pullTimes.indexOf(3_000)] ?? 0;
    expect(learned).toBeGreaterThanOrEqual(150);
    const after2s = run.pullTimes.findIndex((t) => t >= 2_000);
    const lastArrival = run.pullTimes.findIndex((t) => t >= (times[count - 1] ?? 0));
    const lateUnderruns = run.kinds
      .slice(after2s, lastArrival)
      .filter((kind, i, kinds) => kind === 'concealing' && kinds[i - 1] === 'playing');
    expect(lateUnderruns).toEqual([]);
    expect(playedOrder(run.output).length).toBe(count);
  });

  it('keeps the delay within the max target by skipping pauses after stalls', () => {
    const count = 80;
    const maxTargetMs = 200;
    let times = stall(serverSchedule(count), 1_000, 500);
    times = inOrder(stall(times, 2_000, 500));
    const arrivals = arrivalsAt(times, 4);
    const buffer = makeBuffer({ maxTargetMs });
    const run = simulate(buffer, arrivals, { endAt: null, untilMs: 6_000 });

    expect(Math.max(...run.targets)).toBeLessThanOrEqual(maxTargetMs);
    expect(buffer.skippedSilenceMs).toBeGreaterThan(0);
    expect(buffer.stats.droppedFrames).toBe(0);
    const spoken = arrivals.map((_, k) => k).filter((k) => k % 4 !== 0);
    expect(playedOrder(run.output)).toEqual(spoken.map((k) => 1000 + k));
    // Once the backlog of the last stall is shed, no frame waits longer than the max target.
    for (const k of spoken.filter((k) => (times[k] ?? 0) >= 3_500)) {
      const delay = (playoutTime(run, k) ?? Infinity) - (times[k] ?? 0);
      expect(delay).toBeLessThanOrEqual(maxTargetMs + FRAME_MS);
    }
  });

  it('drops back to the target only when a flood passes its capacity', () => {
    const buffer = makeBuffer({ capacityMs: 1_000 });
    buffer.begin();
    for (let k = 0; k < 30; k++) buffer.push(frame(k), 0);
    const stats = buffer.stats;
    expect(stats.droppedFrames).toBeGreaterThan(0);
    expect(stats.bufferedMs).toBeLessThanOrEqual(1_000);
    const out = new Int16Array(BLOCK);
    expect(buffer.pull(out)).toBe('playing');
  });

  it('flushes at once on abort', () => {
    const buffer = makeBuffer();
    buffer.begin();
    for (let k = 0; k < 5; k++) buffer.push(frame(k), 0);
    const out = new Int16Array(BLOCK);
    expect(buffer.pull(out)).toBe('playing');
    buffer.flush();
    expect(buffer.stats.bufferedMs).toBe(0);
    expect(buffer.active).toBe(false);
    expect(buffer.pull(out)).toBe('idle');
    expect(out.every((x) => x === 0)).toBe(true);
  });

  it('drains everything after end(), reports it once, then idles', () => {
    const buffer = makeBuffer();
    buffer.begin();
    buffer.push(frame(0), 0);
    // A one-frame reply is shorter than the prebuffer: end() lets it play anyway.
    expect(buffer.end()).toBe(false);
    const out = new Int16Array(BLOCK);
    const kinds = Array.from({ length: 5 }, () => buffer.pull(out));
    expect(kinds).toEqual(['playing', 'playing', 'drained', 'idle', 'idle']);
    expect(buffer.stats.underruns).toBe(0);
  });

  it('is drained at once when end() finds nothing to play', () => {
    const buffer = makeBuffer();
    expect(buffer.end()).toBe(true);
    buffer.begin();
    expect(buffer.end()).toBe(true);
    expect(buffer.active).toBe(false);
  });

  it('forgets a dry spell that end() explains, but counts one a late frame explains', () => {
    const buffer = makeBuffer();
    const out = new Int16Array(BLOCK);
    buffer.begin();
    for (let k = 0; k < 2; k++) buffer.push(frame(k), 0);
    for (let i = 0; i < 10; i++) buffer.pull(out);
    expect(buffer.end()).toBe(true);
    expect(buffer.stats.concealedMs).toBe(0);

    buffer.begin();
    for (let k = 0; k < 2; k++) buffer.push(frame(k), 0);
    for (let i = 0; i < 10; i++) buffer.pull(out);
    buffer.push(frame(2), 200);
    expect(buffer.stats).toMatchObject({ underruns: 1, concealedMs: 80, lateFrames: 1 });
  });
});
