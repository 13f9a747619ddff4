/**
 * Input level for the microphone meter and the "speak up" hint. Time is counted in samples, not
 * wall-clock, so a WAV file fed faster than real time measures the same as a live microphone.
 *
 * Levels are RMS in dBFS with a full-scale square wave at 0 dBFS (a full-scale sine reads
 * −3 dBFS).
 */

/** The floor reported for digital silence, instead of −∞. */
export const MIN_DBFS = -100;
/** One reading per 100 ms: a meter refreshed 10 times a second looks smooth without flooding IPC. */
export const DEFAULT_WINDOW_MS = 100;
/**
 * Below about −40 dBFS servers' VAD (Silero in xiaozhi-esp32-server) treats speech as silence and
 * the turn never ends; at or above it the user counts as speaking.
 */
export const DEFAULT_SPEECH_DBFS = -40;
/** How long the level must stay under the speech threshold before the hint fires. */
export const DEFAULT_TOO_QUIET_AFTER_MS = 3_000;

export interface LevelMeterOptions {
  readonly sampleRate: number;
  readonly windowMs?: number;
  readonly speechDbfs?: number;
  readonly tooQuietAfterMs?: number;
  /** One reading per window. */
  readonly onLevel: (dbfs: number, speaking: boolean) => void;
  /** Once per quiet stretch, with the loudest reading of that stretch. */
  readonly onTooQuiet: (dbfs: number) => void;
}

/** RMS level of `samples` (floats in [-1, 1)) in dBFS, floored at `MIN_DBFS`. */
export function dbfs(samples: ArrayLike<number>): number {
  if (samples.length === 0) return MIN_DBFS;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] ?? 0;
    sum += x * x;
  }
  return powerToDbfs(sum / samples.length);
}

function powerToDbfs(meanSquare: number): number {
  if (meanSquare <= 0) return MIN_DBFS;
  return Math.max(MIN_DBFS, 10 * Math.log10(meanSquare));
}

/** Accumulates samples into fixed windows and reports each window's level. */
export class LevelMeter {
  readonly #windowSamples: number;
  readonly #tooQuietSamples: number;
  readonly #speechDbfs: number;
  readonly #onLevel: LevelMeterOptions['onLevel'];
  readonly #onTooQuiet: LevelMeterOptions['onTooQuiet'];
  #sum = 0;
  #count = 0;
  #quietSamples = 0;
  #quietPeak = MIN_DBFS;
  #hinted = false;

  constructor(options: LevelMeterOptions) {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    this.#windowSamples = Math.max(1, Math.round((options.sampleRate * windowMs) / 1000));
    this.#tooQuietSamples = Math.round(
      (options.sampleRate * (options.tooQuietAfterMs ?? DEFAULT_TOO_QUIET_AFTER_MS)) / 1000,
    );
    this.#speechDbfs = options.speechDbfs ?? DEFAULT_SPEECH_DBFS;
    this.#onLevel = options.onLevel;
    this.#onTooQuiet = options.onTooQuiet;
  }

  /** Feeds samples (floats in [-1, 1)); emits a reading for every window completed. */
  push(samples: ArrayLike<number>): void {
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] ?? 0;
      this.#sum += x * x;
      this.#count++;
      if (this.#count === this.#windowSamples) this.#closeWindow();
    }
  }

  /** Starts over (a new listening turn): the quiet stretch and its hint are forgotten. */
  reset(): void {
    this.#sum = 0;
    this.#count = 0;
    this.#quietSamples = 0;
    this.#quietPeak = MIN_DBFS;
    this.#hinted = false;
  }

  #closeWindow(): void {
    const level = powerToDbfs(this.#sum / this.#count);
    const windowSamples = this.#count;
    this.#sum = 0;
    this.#count = 0;
    const speaking = level >= this.#speechDbfs;
    this.#onLevel(level, speaking);
    if (speaking) {
      this.#quietSamples = 0;
      this.#quietPeak = MIN_DBFS;
      this.#hinted = false;
      return;
    }
    this.#quietSamples += windowSamples;
    this.#quietPeak = Math.max(this.#quietPeak, level);
    if (!this.#hinted && this.#quietSamples >= this.#tooQuietSamples) {
      this.#hinted = true;
      this.#onTooQuiet(this.#quietPeak);
    }
  }
}
