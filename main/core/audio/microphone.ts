/**
 * The microphone as a voice source: naudiodon input on the chosen device, at a rate it accepts,
 * through the capture pipeline to 16 kHz mono Opus frames.
 *
 * PortAudio does not report a device that dies mid-stream: its callback thread ends and reads
 * simply stop coming (checked with a PulseAudio stream killed under it). A watchdog therefore
 * turns "no audio for a while" into an `error` event, and the capture stops cleanly so the
 * session can start it again.
 */
import type { IoStreamRead } from 'naudiodon';
import type { Problem } from '../../../shared/problems.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';
import { SECOND, systemClock } from '../util/clock.ts';
import { Emitter } from '../util/emitter.ts';
import { CapturePipeline } from './capture-pipeline.ts';
import { openInput, quitWithin } from './devices.ts';
import type { AudioBackend } from './devices.ts';
import type { FrameDurationMs, SpeechEncoderOptions } from './opus-codec.ts';
import { bytesToInt16 } from './pcm.ts';
import type { VoiceSource, VoiceSourceEvents } from './voice-source.ts';

/** One capture block: small enough to add little latency, large enough to keep callbacks rare. */
export const CAPTURE_BLOCK_MS = 20;
/** Capture starts 0.2–1 s after `start()` on PulseAudio (docs/toolchain.md §2); allow 3× that. */
export const FIRST_AUDIO_TIMEOUT_MS = 3 * SECOND;
/** Fifty missing blocks in a row: the device is gone, not late. */
export const AUDIO_STALL_TIMEOUT_MS = SECOND;
const WATCHDOG_INTERVAL_MS = 250;
/** `quit()` waits for PortAudio; never let a wedged device hold `stop()` longer than this. */
const QUIT_TIMEOUT_MS = 2 * SECOND;

export interface MicrophoneOptions {
  /** Device name, or null for the system default (re-resolved at every start). */
  readonly deviceName?: string | null;
  readonly frameDurationMs?: FrameDurationMs;
  readonly encoder?: Omit<SpeechEncoderOptions, 'frameDurationMs'>;
  readonly clock?: Clock;
  readonly backend?: AudioBackend;
}

/** What `start()` opened. */
export interface CaptureDevice {
  readonly deviceName: string;
  readonly sampleRate: number;
  readonly channels: number;
  /** The chosen device is missing and the system default is capturing instead. */
  readonly fellBack: boolean;
}

interface Capture {
  readonly stream: IoStreamRead;
  readonly pipeline: CapturePipeline;
  readonly device: CaptureDevice;
  readonly detach: () => void;
  startedAt: number;
  lastAudioAt: number | null;
  watchdog: TimerHandle | null;
}

export class MicrophoneCapture implements VoiceSource {
  readonly frameDurationMs: FrameDurationMs;
  readonly #options: MicrophoneOptions;
  readonly #clock: Clock;
  readonly #events = new Emitter<VoiceSourceEvents>();
  #capture: Capture | null = null;
  #starting: Promise<void> | null = null;

  constructor(options: MicrophoneOptions = {}) {
    this.#options = options;
    this.frameDurationMs = options.frameDurationMs ?? 60;
    this.#clock = options.clock ?? systemClock;
  }

  /** The device capturing now, or null when stopped. */
  get device(): CaptureDevice | null {
    return this.#capture?.device ?? null;
  }

  on<K extends keyof VoiceSourceEvents>(event: K, listener: VoiceSourceEvents[K]): () => void {
    return this.#events.on(event, listener);
  }

  /** Opens the device and starts capturing; rejects with an `AudioDeviceError` if it cannot. */
  start(): Promise<void> {
    if (this.#capture) return Promise.resolve();
    this.#starting ??= this.#open().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const capture = this.#capture;
    if (!capture) return;
    this.#capture = null;
    await this.#close(capture);
  }

  /** The samples captured since the last frame go out now as a frame padded with silence. */
  flush(): void {
    this.#capture?.pipeline.finish();
  }

  async #open(): Promise<void> {
    const opened = await openInput({
      deviceName: this.#options.deviceName ?? null,
      blockMs: CAPTURE_BLOCK_MS,
      backend: this.#options.backend,
    });
    const { stream, ...device } = opened;
    let pipeline: CapturePipeline;
    try {
      pipeline = await CapturePipeline.create({
        inputRate: device.sampleRate,
        encoder: { ...this.#options.encoder, frameDurationMs: this.frameDurationMs },
        events: this.#events,
      });
    } catch (error) {
      stream.quit();
      throw error;
    }

    const onData = (chunk: Buffer): void => this.#onAudio(capture, chunk);
    const onError = (error: Error): void =>
      this.#fail(capture, {
        code: 'deviceFailed',
        device: device.deviceName,
        detail: error.message,
      });
    const onEnd = (): void =>
      this.#fail(capture, { code: 'deviceClosed', device: device.deviceName });
    stream.on('data', onData);
    stream.on('error', onError);
    stream.on('end', onEnd);
    const capture: Capture = {
      stream,
      pipeline,
      device,
      detach: () => {
        stream.off('data', onData);
        stream.off('error', onError);
        stream.off('end', onEnd);
      },
      startedAt: this.#clock.now(),
      lastAudioAt: null,
      watchdog: null,
    };
    this.#capture = capture;
    try {
      stream.start();
    } catch (error) {
      this.#capture = null;
      await this.#close(capture);
      throw error;
    }
    this.#armWatchdog(capture);
  }

  #onAudio(capture: Capture, chunk: Buffer): void {
    if (this.#capture !== capture) return;
    const now = this.#clock.now();
    capture.lastAudioAt = now;
    const samples = toMono(bytesToInt16(chunk), capture.device.channels);
    const blockMs = (samples.length * 1000) / capture.device.sampleRate;
    capture.pipeline.push(samples, now - blockMs);
  }

  #armWatchdog(capture: Capture): void {
    const scheduledAt = this.#clock.now();
    capture.watchdog = this.#clock.setTimeout(() => {
      capture.watchdog = null;
      if (this.#capture !== capture) return;
      const now = this.#clock.now();
      // A timer this late means the event loop itself was blocked, not the device: look again.
      const loopWasBlocked = now - scheduledAt > WATCHDOG_INTERVAL_MS + AUDIO_STALL_TIMEOUT_MS / 2;
      const silentFor = now - (capture.lastAudioAt ?? capture.startedAt);
      const limit = capture.lastAudioAt === null ? FIRST_AUDIO_TIMEOUT_MS : AUDIO_STALL_TIMEOUT_MS;
      if (!loopWasBlocked && silentFor > limit) {
        this.#fail(capture, {
          code: capture.lastAudioAt === null ? 'deviceSilent' : 'deviceStalled',
          device: capture.device.deviceName,
          ms: Math.round(silentFor),
        });
        return;
      }
      this.#armWatchdog(capture);
    }, WATCHDOG_INTERVAL_MS);
  }

  #fail(capture: Capture, problem: Problem): void {
    if (this.#capture !== capture) return;
    this.#capture = null;
    void this.#close(capture);
    this.#events.emit('error', problem);
  }

  async #close(capture: Capture): Promise<void> {
    if (capture.watchdog) this.#clock.clearTimeout(capture.watchdog);
    capture.watchdog = null;
    capture.detach();
    capture.pipeline.close();
    await quitWithin(capture.stream, QUIT_TIMEOUT_MS);
  }
}

/** Mono floats from interleaved s16 (channels averaged). */
function toMono(samples: Int16Array, channels: number): Float32Array {
  const frames = Math.floor(samples.length / channels);
  const mono = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) {
      sum += samples[frame * channels + channel] ?? 0;
    }
    mono[frame] = sum / channels / 32768;
  }
  return mono;
}
