/**
 * The audio path on real devices: SpeakerSink plays into a PulseAudio null sink and
 * MicrophoneCapture records its monitor, through naudiodon, the resampler and real Opus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudioDevices } from '../../../main/core/audio/devices.ts';
import { MicrophoneCapture } from '../../../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { SpeakerSink } from '../../../main/core/audio/speaker-sink.ts';
import type { Problem } from '../../../shared/problems.ts';
import { bestCorrelation, goertzel, sine, sineInt16 } from '../../unit/audio/helpers/signal.ts';
import {
  killOwnStream,
  preparePulse,
  requireAudio,
  shouldSkipAudio,
  usePrivateSink,
} from './pulse.ts';

const pulse = await preparePulse();
const FRAME_48K = 2_880;
const TONE_AMPLITUDE = 0.3;

/** Records 16 kHz PCM (decoded from the capture's own Opus frames) until stopped. */
function record(mic: MicrophoneCapture) {
  const decoder = new ReplyDecoder(16_000);
  const chunks: Int16Array[] = [];
  const errors: Problem[] = [];
  let audioArrived: () => void = () => undefined;
  const flowing = new Promise<void>((resolve) => (audioArrived = resolve));
  mic.on('frame', (opus) => {
    const result = decoder.decode(opus);
    if (result.ok) chunks.push(result.pcm);
    audioArrived();
  });
  mic.on('error', (problem) => errors.push(problem));
  return {
    errors,
    /** Resolves at the first captured frame (PulseAudio delivers 0.2–1 s after start). */
    flowing,
    pcm: (): Int16Array => Int16Array.from(chunks.flatMap((chunk) => Array.from(chunk))),
  };
}

/** Strongest 0.5 s window of `frequency` in the recording. */
function strongest(pcm: Int16Array, frequency: number): { amplitude: number; at: number } {
  let best = { amplitude: 0, at: 0 };
  for (let at = 0; at + 8_000 <= pcm.length; at += 800) {
    const amplitude = goertzel(pcm.subarray(at, at + 8_000), 16_000, frequency, 32768);
    if (amplitude > best.amplitude) best = { amplitude, at };
  }
  return best;
}

function playTone(sink: SpeakerSink, frequency: number, durationMs: number): void {
  const tone = sineInt16(48_000, frequency, durationMs, TONE_AMPLITUDE);
  sink.beginReply();
  for (let at = 0; at < tone.length; at += FRAME_48K) {
    sink.write(tone.subarray(at, at + FRAME_48K), Date.now());
  }
}

function waitFor<T>(subscribe: (resolve: (value: T) => void) => void, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing within ${ms} ms`)), ms);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

describe.skipIf(shouldSkipAudio(pulse))('audio devices (PulseAudio null sink)', () => {
  let removeSink: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    requireAudio(pulse);
    removeSink = await usePrivateSink();
  });

  afterAll(async () => {
    await removeSink();
  });

  it('lists the devices PortAudio sees through ALSA', async () => {
    const devices = await listAudioDevices();
    const fallback = devices.find((device) => device.name === 'default');
    expect(fallback).toMatchObject({ hostApi: 'ALSA' });
    expect(fallback?.maxInputChannels).toBeGreaterThan(0);
    expect(fallback?.maxOutputChannels).toBeGreaterThan(0);
  });

  it('plays a tone through SpeakerSink and records it back through the capture path', async () => {
    const mic = new MicrophoneCapture({ frameDurationMs: 60 });
    const recording = record(mic);
    await mic.start();
    await recording.flowing;

    const sink = new SpeakerSink();
    const errors: Problem[] = [];
    sink.on('error', (problem) => errors.push(problem));
    let drainedEvents = 0;
    sink.on('playbackDrained', () => drainedEvents++);
    const startedAt = Date.now();
    playTone(sink, 1_000, 1_500);
    await sink.endReply();
    const playedFor = Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 300));
    await mic.stop();
    await sink.close();

    expect(errors).toEqual([]);
    expect(recording.errors).toEqual([]);
    // endReply waits for the audio to be played, not merely queued.
    expect(playedFor).toBeGreaterThan(1_200);
    expect(drainedEvents).toBe(1);
    expect(sink.stats).toMatchObject({ underruns: 0, droppedFrames: 0 });

    const pcm = recording.pcm();
    const tone = strongest(pcm, 1_000);
    expect(tone.amplitude).toBeGreaterThan(0.8 * TONE_AMPLITUDE);
    expect(tone.amplitude).toBeLessThan(1.2 * TONE_AMPLITUDE);
    const window = pcm.subarray(tone.at, tone.at + 8_000);
    expect(goertzel(window, 16_000, 700, 32768)).toBeLessThan(0.01);
    const reference = sine(16_000, 1_000, 100, 1);
    const floats = Float32Array.from(window.subarray(0, 4_000), (x) => x / 32768);
    expect(bestCorrelation(reference, floats, 16).correlation).toBeGreaterThan(0.9);
  });

  it('reports a speaker that dies mid-reply and plays again on the next reply', async () => {
    const sink = new SpeakerSink();
    const failed = waitFor<Problem>((resolve) => sink.on('error', resolve), 8_000);
    playTone(sink, 800, 4_000);
    const reply = sink.endReply();
    await waitFor<true>((resolve) => sink.on('jitterStats', () => resolve(true)), 5_000);
    await killOwnStream('sink-input');

    expect(await failed).toMatchObject({ code: 'deviceStalled', device: 'default' });
    await reply;
    expect(sink.device).toBeNull();

    const mic = new MicrophoneCapture({ frameDurationMs: 20 });
    const recording = record(mic);
    await mic.start();
    await recording.flowing;
    const laterErrors: Problem[] = [];
    sink.on('error', (problem) => laterErrors.push(problem));
    playTone(sink, 1_200, 1_000);
    await sink.endReply();
    await mic.stop();
    await sink.close();

    expect(laterErrors).toEqual([]);
    expect(strongest(recording.pcm(), 1_200).amplitude).toBeGreaterThan(0.8 * TONE_AMPLITUDE);
  });

  it('reports a microphone that dies, stops cleanly, and captures again after start()', async () => {
    const mic = new MicrophoneCapture({ frameDurationMs: 40 });
    const failed = waitFor<Problem>((resolve) => mic.on('error', resolve), 8_000);
    const first = record(mic);
    await mic.start();
    await first.flowing;
    await killOwnStream('source-output');

    expect(await failed).toMatchObject({ code: 'deviceStalled', device: 'default' });
    expect(mic.device).toBeNull();
    await mic.stop();

    let framesAfterRestart = 0;
    const again = waitFor<true>(
      (resolve) =>
        mic.on('frame', () => {
          if (++framesAfterRestart === 10) resolve(true);
        }),
      8_000,
    );
    await mic.start();
    await again;
    await mic.stop();
    expect(framesAfterRestart).toBeGreaterThanOrEqual(10);
  });
});
