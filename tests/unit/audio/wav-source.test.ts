import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { encodeMonoWav, WavError } from '../../../main/core/audio/wav.ts';
import { WavVoiceSource } from '../../../main/core/audio/wav-source.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { goertzel, sine, sineInt16 } from './helpers/signal.ts';

function collect(source: WavVoiceSource) {
  const seen = { frames: [] as { opus: Uint8Array; at: number }[], ended: 0, levels: 0 };
  source.on('frame', (opus, at) => seen.frames.push({ opus, at }));
  source.on('ended', () => seen.ended++);
  source.on('level', () => seen.levels++);
  return seen;
}

describe('WavVoiceSource', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lumi-say-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a 44.1 kHz stereo recording as 16 kHz frames, one per frame duration', async () => {
    const left = sine(44_100, 500, 1_000, 0.4);
    const samples = Float32Array.from({ length: left.length * 2 }, (_, i) => left[i >> 1] ?? 0);
    const clock = new ManualClock(5_000);
    const source = new WavVoiceSource({
      input: { sampleRate: 44_100, channels: 2, samples },
      frameDurationMs: 40,
      clock,
    });
    const seen = collect(source);
    await source.start();
    expect(seen.frames.length).toBe(1);
    clock.advance(39);
    expect(seen.frames.length).toBe(1);
    clock.advance(1);
    expect(seen.frames.length).toBe(2);
    clock.advance(2_000);

    expect(seen.frames.length).toBe(25);
    expect(seen.ended).toBe(1);
    expect(seen.frames.map((frame) => frame.at)).toEqual(
      Array.from({ length: 25 }, (_, i) => 5_000 + 40 * i),
    );
    expect(seen.levels).toBe(10);
    const decoder = new ReplyDecoder(16_000);
    const pcm = seen.frames.flatMap(({ opus }) => {
      const result = decoder.decode(opus);
      return result.ok ? Array.from(result.pcm) : [];
    });
    expect(pcm.length).toBe(16_000);
    expect(goertzel(pcm.slice(1_600, 14_400), 16_000, 500, 32768)).toBeGreaterThan(0.35);
  });

  it('reads a file, pads it with trailing silence, and stops on request', async () => {
    const path = join(dir, 'hello.wav');
    await writeFile(path, encodeMonoWav(sineInt16(16_000, 440, 600), 16_000));
    const clock = new ManualClock(0);
    const padded = new WavVoiceSource({ input: path, clock, trailingSilenceMs: 600 });
    const seen = collect(padded);
    await padded.start();
    clock.advance(5_000);
    expect(seen.frames.length).toBe(20);
    expect(seen.ended).toBe(1);

    const stopped = new WavVoiceSource({ input: path, clock });
    const partial = collect(stopped);
    await stopped.start();
    clock.advance(120);
    await stopped.stop();
    clock.advance(5_000);
    expect(partial.frames.length).toBe(3);
    expect(partial.ended).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects start() with a WavError for a file it cannot use', async () => {
    const path = join(dir, 'notes.txt');
    await writeFile(path, 'these are not samples');
    const source = new WavVoiceSource({ input: path, clock: new ManualClock(0) });
    const failure = await source.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(WavError);
    expect(failure).toMatchObject({ code: 'not_riff' });
  });
});
