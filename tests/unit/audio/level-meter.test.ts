import { describe, expect, it } from 'vitest';
import { dbfs, LevelMeter, MIN_DBFS } from '../../../main/core/audio/level-meter.ts';
import { sine } from './helpers/signal.ts';

const RATE = 16_000;

function meter(options: { tooQuietAfterMs?: number } = {}) {
  const levels: { dbfs: number; speaking: boolean }[] = [];
  const hints: number[] = [];
  const instance = new LevelMeter({
    sampleRate: RATE,
    ...options,
    onLevel: (level, speaking) => levels.push({ dbfs: level, speaking }),
    onTooQuiet: (level) => hints.push(level),
  });
  return { instance, levels, hints };
}

describe('dbfs', () => {
  it('reads known amplitudes', () => {
    expect(dbfs(new Float32Array(100).fill(1))).toBeCloseTo(0, 6);
    expect(dbfs(new Float32Array(100).fill(-0.5))).toBeCloseTo(-6.02, 2);
    // A full-scale sine is −3.01 dBFS RMS; one at 0.01 is 40 dB lower.
    expect(dbfs(sine(RATE, 1_000, 100, 1))).toBeCloseTo(-3.01, 1);
    expect(dbfs(sine(RATE, 1_000, 100, 0.01))).toBeCloseTo(-43.01, 1);
    expect(dbfs(new Float32Array(100))).toBe(MIN_DBFS);
    expect(dbfs(new Float32Array(0))).toBe(MIN_DBFS);
  });
});

describe('LevelMeter', () => {
  it('reports ten readings a second, whatever the block size', () => {
    const { instance, levels } = meter();
    const signal = sine(RATE, 440, 1_000, 0.5);
    for (let at = 0; at < signal.length; at += 333) instance.push(signal.subarray(at, at + 333));
    expect(levels.length).toBe(10);
    for (const level of levels) {
      expect(level.dbfs).toBeCloseTo(-9.03, 1);
      expect(level.speaking).toBe(true);
    }
  });

  it('hints once when speech stays under −40 dBFS for 3 s, and again after real speech', () => {
    const { instance, levels, hints } = meter();
    const whisper = sine(RATE, 300, 1_000, 0.01);
    const voice = sine(RATE, 300, 1_000, 0.3);
    instance.push(whisper);
    instance.push(whisper);
    expect(hints).toEqual([]);
    instance.push(whisper);
    expect(hints.length).toBe(1);
    expect(hints[0]).toBeCloseTo(-43, 0);
    instance.push(whisper);
    expect(hints.length).toBe(1);
    instance.push(voice);
    expect(levels[levels.length - 1]?.speaking).toBe(true);
    for (let i = 0; i < 3; i++) instance.push(whisper);
    expect(hints.length).toBe(2);
  });

  it('forgets the quiet stretch on reset()', () => {
    const { instance, hints } = meter({ tooQuietAfterMs: 2_000 });
    instance.push(new Float32Array(RATE * 1.5));
    instance.reset();
    instance.push(new Float32Array(RATE * 1.5));
    expect(hints).toEqual([]);
    instance.push(new Float32Array(RATE));
    expect(hints).toEqual([MIN_DBFS]);
  });
});
