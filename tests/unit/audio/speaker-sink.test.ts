import { afterEach, describe, expect, it } from 'vitest';
import type { Problem } from '../../../shared/problems.ts';
import { cuePcm } from '../../../main/core/audio/cues.ts';
import { nativeAudioStuck } from '../../../main/core/audio/devices.ts';
import {
  IDLE_CLOSE_MS,
  NATIVE_QUEUE_BLOCKS,
  OUTPUT_START_TIMEOUT_MS,
  PLAYOUT_BLOCK_MS,
  SpeakerSink,
} from '../../../main/core/audio/speaker-sink.ts';
import { FakeAudioBackend, settle } from './helpers/fake-audio-device.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { goertzel, sineInt16 } from './helpers/signal.ts';

const FRAME = 2_880;
/** One playout block at 48 kHz. */
const BLOCK = (48_000 * PLAYOUT_BLOCK_MS) / 1000;

function frames(count: number, value: number): Int16Array[] {
  return Array.from({ length: count }, () => new Int16Array(FRAME).fill(value));
}

/**
 * Waits until the sink has opened its `count`th output and started it. Starting can wait for
 * the resampler's wasm to load (a device that refuses 48 kHz), so this waits in real time.
 */
async function opened(backend: FakeAudioBackend, count = 1): Promise<void> {
  const until = Date.now() + 5_000;
  const ready = () => backend.outputs.length >= count && backend.outputs[count - 1]?.started;
  while (!ready() && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
  await settle();
  expect(backend.outputs.length).toBe(count);
  expect(backend.output.started).toBe(true);
}

describe('SpeakerSink', () => {
  let sink: SpeakerSink | null = null;
  afterEach(async () => {
    await sink?.close();
    sink = null;
  });

  function makeSink(backend: FakeAudioBackend, clock = new ManualClock(), volume = 100) {
    const created = new SpeakerSink({ backend, clock, volume });
    sink = created;
    const events = { errors: [] as Problem[], drained: 0, stats: 0 };
    created.on('error', (problem) => events.errors.push(problem));
    created.on('playbackDrained', () => events.drained++);
    created.on('jitterStats', () => events.stats++);
    return { sink: created, events, clock };
  }

  it('plays a reply in order and resolves endReply only once the device took all of it', async () => {
    const backend = new FakeAudioBackend();
    const { sink, events } = makeSink(backend);
    sink.beginReply();
    for (const frame of frames(5, 1000)) sink.write(frame, 0);
    let drained = false;
    const reply = sink.endReply().then(() => (drained = true));
    await opened(backend);
    expect(backend.output.options).toMatchObject({ sampleRate: 48_000, channelCount: 1 });

    // The device has taken the last block of the 300 ms once it consumed that many blocks.
    await backend.output.consume(Math.ceil((5 * FRAME) / BLOCK));
    expect(drained).toBe(false);
    await backend.output.consume(NATIVE_QUEUE_BLOCKS + 1);
    await reply;
    expect(events.drained).toBe(1);
    expect(events.stats).toBeGreaterThanOrEqual(1);
    const samples = backend.output.samples();
    expect(samples.filter((x) => x === 1000).length).toBe(5 * FRAME);
    expect(sink.stats).toMatchObject({ underruns: 0, bufferedMs: 0 });
  });

  it('writes one block per PLAYOUT_BLOCK_MS of a bursty reply, in order, without underruns', async () => {
    const backend = new FakeAudioBackend();
    const { sink, events, clock } = makeSink(backend);
    // The server's pattern: five frames at once, then one per 60 ms (docs/protocol.md §5.4).
    const FRAMES = 50;
    const FRAME_MS = (FRAME * 1000) / 48_000;
    const arrivals = Array.from({ length: FRAMES }, (_, i) => Math.max(0, i - 4) * FRAME_MS);
    const start = clock.now();
    sink.beginReply();
    let next = 0;
    const arrive = (): void => {
      for (; next < FRAMES && start + (arrivals[next] ?? 0) <= clock.now(); next++) {
        sink.write(new Int16Array(FRAME).fill(next + 1), clock.now());
      }
    };
    arrive();
    await opened(backend);
    while (next < FRAMES) {
      await backend.output.consume(1);
      clock.advance(PLAYOUT_BLOCK_MS);
      arrive();
    }
    const reply = sink.endReply();
    const replyBlocks = Math.ceil((FRAMES * FRAME) / BLOCK);
    for (let i = 0; i < replyBlocks + NATIVE_QUEUE_BLOCKS + 2 && events.drained === 0; i++) {
      await backend.output.consume(1);
    }
    await reply;
    expect(events.drained).toBe(1);
    expect(sink.stats.underruns).toBe(0);
    expect(backend.output.written.every((chunk) => chunk.byteLength === BLOCK * 2)).toBe(true);
    // The reply's frames, each whole and in order, in as many blocks as their length needs.
    const samples = Array.from(backend.output.samples()).filter((x) => x !== 0);
    expect(samples).toEqual(
      Array.from({ length: FRAMES }, (_, i) => new Array<number>(FRAME).fill(i + 1)).flat(),
    );
    const soundBlocks = backend.output.written.filter((chunk) =>
      new Int16Array(chunk.buffer).some((x) => x !== 0),
    );
    expect(soundBlocks.length).toBeLessThanOrEqual(replyBlocks + 1);
  });

  it('flushes at once on barge-in: endReply resolves and only silence follows', async () => {
    const backend = new FakeAudioBackend();
    const { sink, events } = makeSink(backend);
    sink.beginReply();
    for (const frame of frames(20, 1000)) sink.write(frame, 0);
    await opened(backend);
    await backend.output.consume(3);
    const reply = sink.endReply();
    sink.flush();
    await reply;
    const before = backend.output.written.length;
    await backend.output.consume(5);
    const after = backend.output.written.slice(before).map((chunk) => new Int16Array(chunk.buffer));
    expect(after.every((block) => block.every((x) => x === 0))).toBe(true);
    expect(events.drained).toBe(0);
  });

  it('applies the volume along a square law and ramps a change over one block', async () => {
    const backend = new FakeAudioBackend();
    const { sink } = makeSink(backend, new ManualClock(), 50);
    sink.beginReply();
    for (const frame of frames(10, 1000)) sink.write(frame, 0);
    await opened(backend);
    await backend.output.consume(2);
    // Three blocks are out: the device took two and the third was written at once.
    sink.setVolume(100);
    await backend.output.consume(3);
    const blocks = backend.output.written.map((chunk) => new Int16Array(chunk.buffer.slice(0)));
    expect(blocks[2]?.every((x) => x === 250)).toBe(true);
    const ramp = blocks[3] ?? new Int16Array();
    expect(ramp[0]).toBeGreaterThan(249);
    expect(ramp[0]).toBeLessThan(260);
    expect(ramp[BLOCK - 1]).toBe(1000);
    expect(blocks[4]?.every((x) => x === 1000)).toBe(true);
  });

  it('reports a device that stops taking audio, drops the reply, and reopens on the next', async () => {
    const backend = new FakeAudioBackend();
    const { sink, events, clock } = makeSink(backend);
    sink.beginReply();
    for (const frame of frames(20, 1000)) sink.write(frame, 0);
    const reply = sink.endReply();
    await opened(backend);
    await backend.output.consume(2);
    clock.advance(OUTPUT_START_TIMEOUT_MS + 1_500);
    await reply;
    expect(events.errors).toHaveLength(1);
    expect(events.errors[0]).toMatchObject({ code: 'deviceStalled', device: 'default' });
    // quit() on a dead naudiodon stream never returns: the stream is abandoned instead.
    expect(backend.output.quitCalled).toBe(false);
    expect(nativeAudioStuck()).toBe(true);
    expect(sink.device).toBeNull();

    sink.write(new Int16Array(FRAME).fill(7), 0);
    sink.beginReply();
    for (const frame of frames(5, 2000)) sink.write(frame, 0);
    await opened(backend, 2);
    await backend.output.consume(6);
    expect(backend.output.samples().filter((x) => x === 2000).length).toBeGreaterThan(0);
    expect(backend.outputs[0]?.samples().includes(7)).toBe(false);
  });

  it('reports a device that cannot open, lets the reply end, and retries on the next one', async () => {
    const backend = new FakeAudioBackend({ failOpen: 'No default device' });
    const { sink, events } = makeSink(backend);
    sink.beginReply();
    sink.write(new Int16Array(FRAME), 0);
    await settle();
    await settle();
    expect(events.errors[0]).toMatchObject({
      code: 'defaultDeviceOpenFailed',
      detail: expect.stringMatching(/No default device/),
    });
    await sink.endReply();

    backend.settings.failOpen = null;
    sink.beginReply();
    await opened(backend);
    expect(backend.output.started).toBe(true);
  });

  it('closes the device after a quiet spell and opens it again for the next sound', async () => {
    const backend = new FakeAudioBackend();
    const { sink } = makeSink(backend);
    sink.warmUp();
    await opened(backend);
    await backend.output.consume(IDLE_CLOSE_MS / PLAYOUT_BLOCK_MS - 2);
    expect(backend.output.quitCalled).toBe(false);
    await backend.output.consume(3);
    expect(backend.output.quitCalled).toBe(true);

    sink.playClip(cuePcm('listenStart'));
    await opened(backend, 2);
    await backend.output.consume(8);
    const samples = backend.output.samples();
    const cue = cuePcm('listenStart');
    expect(Array.from(samples.subarray(0, cue.length))).toEqual(Array.from(cue));
  });

  it('resamples to a 44.1 kHz stereo device', async () => {
    const backend = new FakeAudioBackend({ refuseRates: [48_000], refuseMono: true });
    const { sink } = makeSink(backend);
    const tone = sineInt16(48_000, 1_000, 600, 0.5);
    sink.beginReply();
    for (let at = 0; at < tone.length; at += FRAME) sink.write(tone.subarray(at, at + FRAME), 0);
    await opened(backend);
    expect(backend.output.options).toMatchObject({ sampleRate: 44_100, channelCount: 2 });
    await backend.output.consume(30);
    const stereo = backend.output.samples();
    const left = stereo.filter((_, i) => i % 2 === 0);
    const right = stereo.filter((_, i) => i % 2 === 1);
    expect(Array.from(left)).toEqual(Array.from(right));
    const steady = left.subarray(4_410, 4_410 + 17_640);
    expect(goertzel(steady, 44_100, 1_000, 32768)).toBeGreaterThan(0.45);
  });
});
