/**
 * Signal measurements for the audio tests: tone generation, Goertzel amplitude at one frequency,
 * best normalised cross-correlation and RMS.
 */

/** A sine of `amplitude` (fraction of full scale) as floats. */
export function sine(
  sampleRate: number,
  frequency: number,
  durationMs: number,
  amplitude = 0.5,
): Float32Array {
  const count = Math.round((sampleRate * durationMs) / 1000);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  }
  return out;
}

/** The same sine as s16. */
export function sineInt16(
  sampleRate: number,
  frequency: number,
  durationMs: number,
  amplitude = 0.5,
): Int16Array {
  return Int16Array.from(sine(sampleRate, frequency, durationMs, amplitude), (x) =>
    Math.round(x * 32767),
  );
}

/** Amplitude (fraction of full scale) of `frequency` in `samples`, by the Goertzel algorithm. */
export function goertzel(
  samples: ArrayLike<number>,
  sampleRate: number,
  frequency: number,
  fullScale = 1,
): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let previous = 0;
  let beforePrevious = 0;
  for (let i = 0; i < n; i++) {
    const current = (samples[i] ?? 0) / fullScale + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power =
    previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** RMS of `samples` relative to `fullScale`. */
export function rms(samples: ArrayLike<number>, fullScale = 1): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = (samples[i] ?? 0) / fullScale;
    sum += x * x;
  }
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** Best normalised cross-correlation of `b` against `a` over lags 0…maxLag (b delayed). */
export function bestCorrelation(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  maxLag: number,
): { correlation: number; lag: number } {
  let best = { correlation: -1, lag: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    const n = Math.min(a.length, b.length - lag);
    if (n <= 0) break;
    let dot = 0;
    let energyA = 0;
    let energyB = 0;
    for (let i = 0; i < n; i++) {
      const x = a[i] ?? 0;
      const y = b[i + lag] ?? 0;
      dot += x * y;
      energyA += x * x;
      energyB += y * y;
    }
    const correlation = energyA > 0 && energyB > 0 ? dot / Math.sqrt(energyA * energyB) : 0;
    if (correlation > best.correlation) best = { correlation, lag };
  }
  return best;
}
