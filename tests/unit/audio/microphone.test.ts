import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../shared/problems.ts';
import {
  AUDIO_STALL_TIMEOUT_MS,
  FIRST_AUDIO_TIMEOUT_MS,
  MicrophoneCapture,
} from '../../../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { FakeAudioBackend, settle } from './helpers/fake-audio-device.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { goertzel, sineInt16 } from './helpers/signal.ts';

function listen(mic: MicrophoneCapture) {
  const seen = {
    frames: [] as { opus: Uint8Array; capturedAt: number }[],
    levels: [] as { dbfs: number; speaking: boolean }[],
    quiet: [] as number[],
    errors: [] as Problem[],
  };
  mic.on('frame', (opus, capturedAt) => seen.frames.push({ opus, capturedAt }));
  mic.on('level', (dbfs, speaking) => seen.levels.push({ dbfs, speaking }));
  mic.on('tooQuiet', (dbfs) => seen.quiet.push(dbfs));
  mic.on('error', (problem) => seen.errors.push(problem));
  return seen;
}

/** Feeds `samples` (interleaved) in 20 ms chunks, advancing the clock as a device would. */
async function feed(
  backend: FakeAudioBackend,
  clock: ManualClock,
  samples: Int16Array,
  chunk: number,
): Promise<void> {
  for (let at = 0; at < samples.length; at += chunk) {
    clock.advance(20);
    backend.input.deliver(samples.subarray(at, at + chunk));
    await settle();
  }
}

function interleave(mono: Int16Array): Int16Array {
  return Int16Array.from({ length: mono.length * 2 }, (_, i) => mono[i >> 1] ?? 0);
}

describe('MicrophoneCapture', () => {
  it('turns a 44.1 kHz stereo device into 16 kHz mono Opus frames with capture times', async () => {
    const backend = new FakeAudioBackend({ refuseRates: [48_000], refuseMono: true });
    const clock = new ManualClock(0);
    const mic = new MicrophoneCapture({ backend, clock, frameDurationMs: 60 });
    const seen = listen(mic);
    await mic.start();
    expect(mic.device).toMatchObject({ sampleRate: 44_100, channels: 2, fellBack: false });
    expect(backend.input.options).toMatchObject({ framesPerBuffer: 882, highwaterMark: 882 * 4 });

    await feed(backend, clock, interleave(sineInt16(44_100, 1_000, 1_200, 0.5)), 882 * 2);
    await mic.stop();

    expect(seen.frames.length).toBe(19);
    const gaps = seen.frames
      .slice(1)
      .map((f, i) => f.capturedAt - (seen.frames[i]?.capturedAt ?? 0));
    for (const gap of gaps) expect(gap).toBeCloseTo(60, 0);
    const decoder = new ReplyDecoder(16_000);
    const pcm = seen.frames.flatMap(({ opus }) => {
      const result = decoder.decode(opus);
      return result.ok ? Array.from(result.pcm) : [];
    });
    expect(goertzel(pcm.slice(3_200, 16_000), 16_000, 1_000, 32768)).toBeGreaterThan(0.4);
    expect(seen.levels.length).toBeGreaterThanOrEqual(11);
    expect(seen.levels.slice(2).every((level) => level.speaking)).toBe(true);
    expect(backend.input.quitCalled).toBe(true);
  });

  it('hints when the input stays too quiet for speech', async () => {
    const backend = new FakeAudioBackend();
    const clock = new ManualClock(0);
    const mic = new MicrophoneCapture({ backend, clock });
    const seen = listen(mic);
    await mic.start();
    await feed(backend, clock, sineInt16(48_000, 300, 3_500, 0.005), 960);
    await mic.stop();
    expect(seen.quiet.length).toBe(1);
    expect(seen.quiet[0]).toBeLessThan(-40);
  });

  it('reports a device that never delivers, and one that stops delivering', async () => {
    const backend = new FakeAudioBackend();
    const clock = new ManualClock(0);
    const mic = new MicrophoneCapture({ backend, clock, deviceName: 'Fake Card' });
    const seen = listen(mic);
    await mic.start();
    clock.advance(FIRST_AUDIO_TIMEOUT_MS + 500);
    expect(seen.errors).toEqual([
      { code: 'deviceSilent', device: 'Fake Card', ms: expect.any(Number) as number },
    ]);
    expect(mic.device).toBeNull();
    expect(backend.input.quitCalled).toBe(true);

    await mic.start();
    await feed(backend, clock, new Int16Array(960 * 10), 960);
    clock.advance(AUDIO_STALL_TIMEOUT_MS + 500);
    expect(seen.errors[1]).toMatchObject({ code: 'deviceStalled', device: 'Fake Card' });
    expect(backend.inputs.length).toBe(2);
  });

  it('reports a stream error and falls back to the default for a missing device', async () => {
    const backend = new FakeAudioBackend();
    const mic = new MicrophoneCapture({
      backend,
      clock: new ManualClock(0),
      deviceName: 'USB Mic',
    });
    const seen = listen(mic);
    await mic.start();
    expect(mic.device).toMatchObject({ deviceName: 'default', fellBack: true });
    expect(backend.input.options.deviceId).toBe(-1);
    backend.input.destroy(new Error('Input overflowed'));
    await settle();
    expect(seen.errors).toEqual([
      { code: 'deviceFailed', device: 'default', detail: 'Input overflowed' },
    ]);
    expect(mic.device).toBeNull();
  });

  it('rejects start() with a clear error when no device opens', async () => {
    const backend = new FakeAudioBackend({ failOpen: 'No default device' });
    const mic = new MicrophoneCapture({ backend, clock: new ManualClock(0) });
    await expect(mic.start()).rejects.toMatchObject({
      problem: {
        code: 'defaultDeviceOpenFailed',
        detail: expect.stringMatching(/No default device/),
      },
    });
    await mic.stop();
  });
});
