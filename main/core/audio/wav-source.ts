/**
 * A WAV file as a voice source (`--say file.wav`): any rate and channel count, mixed to mono,
 * resampled to 16 kHz and sent one frame per frame duration on the frame clock, as a microphone
 * would deliver it. Servers pace their VAD and ASR on real time, so the file is never rushed.
 */
import type { Clock } from '../util/clock.ts';
import { systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { CapturePipeline } from './capture-pipeline.ts';
import { FrameClock } from './frame-clock.ts';
import { SPEECH_SAMPLE_RATE } from './opus-codec.ts';
import type { FrameDurationMs, SpeechEncoderOptions } from './opus-codec.ts';
import { msToSamples } from './pcm.ts';
import { resampleAll } from './resampler.ts';
import { downmixToMono, readWavFile } from './wav.ts';
import type { DecodedWav } from './wav.ts';
import type { VoiceSource, VoiceSourceEvents } from './voice-source.ts';

export interface WavVoiceSourceOptions {
  /** A WAV file to read at `start()`, or audio already decoded. */
  readonly input: string | DecodedWav;
  readonly frameDurationMs?: FrameDurationMs;
  readonly clock?: Clock;
  readonly encoder?: Omit<SpeechEncoderOptions, 'frameDurationMs'>;
  /**
   * Silence sent after the file, for servers that end the turn by VAD (auto mode): they wait
   * for 0.7–1 s of silence before they answer (docs/protocol.md §6.2).
   */
  readonly trailingSilenceMs?: number;
}

export class WavVoiceSource implements VoiceSource {
  readonly frameDurationMs: FrameDurationMs;
  readonly #options: WavVoiceSourceOptions;
  readonly #clock: Clock;
  readonly #events = new Emitter<VoiceSourceEvents>();
  #pipeline: CapturePipeline | null = null;
  #frameClock: FrameClock | null = null;
  #running = false;
  /** Bumped by every start and halt, so a start that was overtaken gives up. */
  #generation = 0;

  constructor(options: WavVoiceSourceOptions) {
    this.#options = options;
    this.frameDurationMs = options.frameDurationMs ?? 60;
    this.#clock = options.clock ?? systemClock;
  }

  on<K extends keyof VoiceSourceEvents>(event: K, listener: VoiceSourceEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Reads and converts the file, then starts sending. Rejects with a `WavError` if unreadable. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    try {
      await this.#begin(generation);
    } catch (error) {
      if (generation === this.#generation) this.#halt();
      throw error;
    }
  }

  async #begin(generation: number): Promise<void> {
    const { input } = this.#options;
    const audio = typeof input === 'string' ? await readWavFile(input) : input;
    const speech = await resampleAll(downmixToMono(audio), audio.sampleRate, SPEECH_SAMPLE_RATE);
    const silence = msToSamples(this.#options.trailingSilenceMs ?? 0, SPEECH_SAMPLE_RATE);
    const samples = new Float32Array(speech.length + silence);
    samples.set(speech);
    const pipeline = await CapturePipeline.create({
      inputRate: SPEECH_SAMPLE_RATE,
      encoder: { ...this.#options.encoder, frameDurationMs: this.frameDurationMs },
      events: this.#events,
    });
    if (generation !== this.#generation) {
      pipeline.close();
      return;
    }
    this.#pipeline = pipeline;
    const frame = pipeline.frameSamples;
    const frames = Math.ceil(samples.length / frame);
    if (frames === 0) {
      this.#finish();
      return;
    }
    const period = { periodMs: this.frameDurationMs };
    this.#frameClock = new FrameClock(this.#clock, period, (index, dueAt) => {
      pipeline.push(samples.subarray(index * frame, (index + 1) * frame), dueAt);
      if (index + 1 === frames) this.#finish();
    });
    this.#frameClock.start();
  }

  /** Stops sending; a `start()` still reading its file will not begin. */
  async stop(): Promise<void> {
    this.#halt();
  }

  #finish(): void {
    this.#pipeline?.finish();
    this.#halt();
    this.#events.emit('ended');
  }

  #halt(): void {
    this.#running = false;
    this.#generation++;
    this.#frameClock?.stop();
    this.#frameClock = null;
    this.#pipeline?.close();
    this.#pipeline = null;
  }
}
