/**
 * Deterministic inputs for tests, fixtures and benches: a seeded random source and a speech-like
 * signal. Shared so that a figure and the test beside it draw the same numbers.
 */

/** mulberry32: a small seeded generator of numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A voiced, gliding speech-like signal in syllables (a 110–190 Hz fundamental with falling
 * harmonics, 5 syllables a second): libopus only adds FEC to frames its VAD finds active, and
 * it stops finding a steady tone active after ~0.6 s.
 */
export function syllabicVoice(rate: number, seconds: number): Int16Array {
  const out = new Int16Array(rate * seconds);
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    phase += (150 + 40 * Math.sin(2 * Math.PI * 0.8 * t)) / rate;
    let x = 0;
    for (let h = 1; h <= 10; h++) x += Math.sin(2 * Math.PI * h * phase) / h;
    out[i] = Math.round(9_000 * Math.max(0, Math.sin(2 * Math.PI * 2.5 * t)) * x);
  }
  return out;
}
