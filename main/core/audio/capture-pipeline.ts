/**
 * The shared path from captured samples to upstream frames: resample to 16 kHz mono, cut into
 * frames, meter the level, encode. The microphone and the WAV source differ only in where their
 * samples come from and when.
 */
import type { Emitter } from '../util/emitter.ts';
import { LevelMeter } from './level-meter.ts';
import { SPEECH_SAMPLE_RATE, SpeechEncoder } from './opus-codec.ts';
import type { SpeechEncoderOptions } from './opus-codec.ts';
import { floatToInt16, samplesToMs } from './pcm.ts';
import { StreamingResampler } from './resampler.ts';
import type { VoiceSourceEvents } from './voice-source.ts';

export interface CapturePipelineOptions {
  /** Rate of the samples `push` receives. */
  readonly inputRate: number;
  readonly encoder?: SpeechEncoderOptions;
  /** Where frames, levels and the too-quiet hint go. */
  readonly events: Emitter<VoiceSourceEvents>;
}

export class CapturePipeline {
  readonly #resampler: StreamingResampler;
  readonly #encoder: SpeechEncoder;
  readonly #meter: LevelMeter;
  readonly #events: Emitter<VoiceSourceEvents>;
  readonly #frame: Float32Array;
  readonly #inputRate: number;
  #filled = 0;
  /** Capture time of the first sample in `#frame`. */
  #frameStartedAt = 0;

  private constructor(resampler: StreamingResampler, options: CapturePipelineOptions) {
    this.#resampler = resampler;
    this.#inputRate = options.inputRate;
    this.#encoder = new SpeechEncoder(options.encoder);
    this.#events = options.events;
    this.#frame = new Float32Array(this.#encoder.frameSamples);
    this.#meter = new LevelMeter({
      sampleRate: SPEECH_SAMPLE_RATE,
      onLevel: (dbfs, speaking) => this.#events.emit('level', dbfs, speaking),
      onTooQuiet: (dbfs) => this.#events.emit('tooQuiet', dbfs),
    });
  }

  static async create(options: CapturePipelineOptions): Promise<CapturePipeline> {
    const resampler = await StreamingResampler.create(options.inputRate, SPEECH_SAMPLE_RATE);
    return new CapturePipeline(resampler, options);
  }

  get frameSamples(): number {
    return this.#encoder.frameSamples;
  }

  /**
   * Mono samples at the input rate whose first sample was captured at `capturedAt` (clock ms).
   * Emits every frame completed.
   */
  push(samples: Float32Array, capturedAt: number): void {
    const speech = this.#resampler.process(samples);
    this.#meter.push(speech);
    // The converter's output ends where its input ends (less its constant delay), so times are
    // counted back from the end of the block: the output length varies from push to push.
    const endsAt = capturedAt + samplesToMs(samples.length, this.#inputRate);
    let at = 0;
    while (at < speech.length) {
      if (this.#filled === 0) {
        this.#frameStartedAt = endsAt - samplesToMs(speech.length - at, SPEECH_SAMPLE_RATE);
      }
      const take = Math.min(speech.length - at, this.#frame.length - this.#filled);
      this.#frame.set(speech.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#frame.length) this.#emitFrame();
    }
  }

  /** End of input: the partial last frame is padded with silence and sent. */
  finish(): void {
    if (this.#filled === 0) return;
    this.#frame.fill(0, this.#filled);
    this.#emitFrame();
  }

  close(): void {
    this.#resampler.destroy();
  }

  #emitFrame(): void {
    this.#filled = 0;
    const opus = this.#encoder.encode(floatToInt16(this.#frame));
    this.#events.emit('frame', opus, this.#frameStartedAt);
  }
}
