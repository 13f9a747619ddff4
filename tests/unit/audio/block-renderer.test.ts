import { describe, expect, it } from 'vitest';
import { BlockRenderer, volumeToGain } from '../../../main/core/audio/block-renderer.ts';

const ramp = (length: number, from: number): Int16Array =>
  Int16Array.from({ length }, (_, i) => from + i);

const asSamples = (bytes: Buffer): number[] =>
  Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readInt16LE(i * 2));

describe('BlockRenderer', () => {
  it('renders mono blocks as little-endian s16 at full volume', () => {
    const renderer = new BlockRenderer({ channels: 1, volume: 100, resampler: null });
    expect(asSamples(renderer.render(ramp(4, -2)))).toEqual([-2, -1, 0, 1]);
  });

  it('copies each sample to every device channel', () => {
    const renderer = new BlockRenderer({ channels: 2, volume: 100, resampler: null });
    expect(asSamples(renderer.render(Int16Array.from([5, -7, 9])))).toEqual([5, 5, -7, -7, 9, 9]);
  });

  it('keeps a block intact while the next one is rendered, and reuses its memory after that', () => {
    const renderer = new BlockRenderer({ channels: 2, volume: 100, resampler: null });
    const first = renderer.render(ramp(480, 0));
    const snapshot = Buffer.from(first);
    const second = renderer.render(ramp(480, 1000));
    expect(first.equals(snapshot)).toBe(true);
    expect(second.buffer).not.toBe(first.buffer);
    const third = renderer.render(ramp(480, 2000));
    expect(third.buffer).toBe(first.buffer);
    expect(asSamples(third).slice(0, 4)).toEqual([2000, 2000, 2001, 2001]);
  });

  it('grows a buffer for a longer block and returns exactly the samples of a shorter one', () => {
    const renderer = new BlockRenderer({ channels: 1, volume: 100, resampler: null });
    expect(renderer.render(ramp(4, 0)).length).toBe(8);
    expect(renderer.render(ramp(4, 0)).length).toBe(8);
    expect(asSamples(renderer.render(ramp(6, 10)))).toEqual([10, 11, 12, 13, 14, 15]);
    expect(asSamples(renderer.render(ramp(6, 20)))).toEqual([20, 21, 22, 23, 24, 25]);
    expect(asSamples(renderer.render(ramp(3, 30)))).toEqual([30, 31, 32]);
  });

  it('applies the volume and mixes cues in, saturating', () => {
    const renderer = new BlockRenderer({ channels: 1, volume: 50, resampler: null });
    const out = asSamples(renderer.render(Int16Array.from([4000, -4000])));
    expect(out).toEqual([
      Math.round(4000 * volumeToGain(50)),
      Math.round(-4000 * volumeToGain(50)),
    ]);
    const loud = new BlockRenderer({ channels: 1, volume: 100, resampler: null });
    loud.addClip(Int16Array.from([30000, 1]));
    expect(asSamples(loud.render(Int16Array.from([30000, 1, 2])))).toEqual([32767, 2, 2]);
    expect(loud.playingClip).toBe(false);
  });
});
