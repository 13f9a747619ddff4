import { describe, expect, it } from 'vitest';
import { CuePlayer, cuePcm, TEST_TONE_HZ, testTone } from '../../../main/core/audio/cues.ts';
import { goertzel } from './helpers/signal.ts';

function peak(pcm: Int16Array): number {
  return pcm.reduce((max, x) => Math.max(max, Math.abs(x)), 0) / 32768;
}

describe('cues', () => {
  it('are ~120 ms, soft, and start and end in silence', () => {
    for (const cue of ['listenStart', 'listenStop'] as const) {
      const pcm = cuePcm(cue, 48_000);
      expect(pcm.length).toBe(5_760);
      expect(peak(pcm)).toBeGreaterThan(0.05);
      expect(peak(pcm)).toBeLessThanOrEqual(0.126);
      expect(Math.abs(pcm[0] ?? 1)).toBeLessThan(5);
      expect(Math.abs(pcm[pcm.length - 1] ?? 1)).toBeLessThan(5);
    }
  });

  it('rise for listen start and fall for listen stop', () => {
    const start = cuePcm('listenStart', 48_000);
    const stop = cuePcm('listenStop', 48_000);
    const half = start.length / 2;
    expect(goertzel(start.subarray(0, half), 48_000, 659.25)).toBeGreaterThan(
      goertzel(start.subarray(0, half), 48_000, 880),
    );
    expect(goertzel(start.subarray(half), 48_000, 880)).toBeGreaterThan(
      goertzel(start.subarray(half), 48_000, 659.25),
    );
    expect(goertzel(stop.subarray(0, half), 48_000, 880)).toBeGreaterThan(
      goertzel(stop.subarray(0, half), 48_000, 659.25),
    );
  });

  it('are generated at the rate asked for', () => {
    expect(cuePcm('listenStart', 16_000).length).toBe(1_920);
  });

  it('play through a clip target unless switched off', () => {
    const clips: Int16Array[] = [];
    const player = new CuePlayer({ sampleRate: 24_000, playClip: (pcm) => clips.push(pcm) });
    player.play('listenStart');
    player.setEnabled(false);
    player.play('listenStop');
    expect(clips).toEqual([cuePcm('listenStart', 24_000)]);
  });
});

describe('testTone', () => {
  it('is a faded 440 Hz tone at −12 dBFS', () => {
    const tone = testTone(48_000);
    expect(tone.length).toBe(48_000);
    expect(goertzel(tone.subarray(2_400, 45_600), 48_000, TEST_TONE_HZ, 32768)).toBeCloseTo(
      0.25,
      2,
    );
    expect(tone[0]).toBe(0);
    expect(Math.abs(tone[tone.length - 1] ?? 1)).toBeLessThan(2);
  });
});
