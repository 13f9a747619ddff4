import { describe, expect, it } from 'vitest';
import { resampleAll, StreamingResampler } from '../../../main/core/audio/resampler.ts';
import { goertzel, sine } from './helpers/signal.ts';

/** Resamples `input` in chunks of `chunk` samples, as a device delivers it. */
async function resampleInChunks(
  input: Float32Array,
  from: number,
  to: number,
  chunk: number,
): Promise<Float32Array> {
  const resampler = await StreamingResampler.create(from, to);
  const parts: Float32Array[] = [];
  for (let at = 0; at < input.length; at += chunk) {
    parts.push(resampler.process(input.subarray(at, at + chunk)));
  }
  parts.push(resampler.flush());
  resampler.destroy();
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('StreamingResampler', () => {
  for (const from of [48_000, 44_100]) {
    it(`keeps a 1 kHz tone at 1 kHz from ${from} Hz to 16 kHz, across odd-sized chunks`, async () => {
      const input = sine(from, 1_000, 1_000, 0.5);
      // 441 and 480 samples are the 10 ms blocks of 44.1 and 48 kHz; 333 splits them unevenly.
      const out = await resampleInChunks(input, from, 16_000, 333);
      expect(out.length).toBeGreaterThan(15_900);
      expect(out.length).toBeLessThan(16_200);
      const steady = out.subarray(1_000, 15_000);
      expect(goertzel(steady, 16_000, 1_000)).toBeGreaterThan(0.48);
      expect(goertzel(steady, 16_000, 1_100)).toBeLessThan(0.02);
      expect(goertzel(steady, 16_000, 3_000)).toBeLessThan(0.01);
    });
  }

  it('does not fold a 10 kHz tone into the 16 kHz output', async () => {
    const input = sine(48_000, 10_000, 1_000, 0.5);
    const out = await resampleInChunks(input, 48_000, 16_000, 480);
    const steady = out.subarray(1_000, 15_000);
    // 10 kHz is above the 8 kHz Nyquist limit; naive decimation would alias it to 6 kHz.
    expect(goertzel(steady, 16_000, 6_000)).toBeLessThan(0.005);
    let energy = 0;
    for (const x of steady) energy += x * x;
    expect(Math.sqrt(energy / steady.length)).toBeLessThan(0.005);
  });

  it('upsamples 24 kHz to 48 kHz and passes equal rates through untouched', async () => {
    const out = await resampleAll(sine(24_000, 440, 500, 0.3), 24_000, 48_000);
    expect(out.length).toBe(24_000);
    expect(goertzel(out.subarray(2_000, 22_000), 48_000, 440)).toBeCloseTo(0.3, 2);

    const same = await StreamingResampler.create(16_000, 16_000);
    const input = sine(16_000, 440, 20);
    const copy = same.process(input);
    expect(Array.from(copy)).toEqual(Array.from(input));
    expect(copy).not.toBe(input);
  });

  it('converts s16 streams and rejects impossible rates', async () => {
    const resampler = await StreamingResampler.create(48_000, 16_000);
    const block = Int16Array.from(sine(48_000, 1_000, 100, 0.5), (x) => Math.round(x * 32767));
    const out = [...resampler.processInt16(block), ...resampler.processInt16(block)];
    expect(out.length).toBeGreaterThan(3_000);
    expect(goertzel(out.slice(200), 16_000, 1_000, 32768)).toBeGreaterThan(0.45);
    resampler.destroy();
    expect(() => resampler.process(new Float32Array(10))).toThrow(/destroy/);
    await expect(StreamingResampler.create(0, 16_000)).rejects.toThrow(RangeError);
  });
});
