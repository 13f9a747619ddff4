/**
 * Short sounds generated on the fly: a rising two-note chime when Lumi starts listening, the
 * same notes falling when it stops, and a test tone for the settings window. Soft (−18 dBFS
 * peak), plucked (fast attack, exponential decay) and faded to exact silence at both ends, so
 * they never click over a reply.
 */
import { DEFAULT_REPLY_RATE } from './opus-codec.ts';
import { msToSamples } from './pcm.ts';

export type CueName = 'listenStart' | 'listenStop';

/** E5 and A5: a fourth apart, bright enough to cut through speech without being shrill. */
const LOW_NOTE_HZ = 659.25;
const HIGH_NOTE_HZ = 880;
const NOTE_MS = 60;
const ATTACK_MS = 4;
const DECAY_MS = 45;
const RELEASE_MS = 10;
/** A quiet second harmonic makes the sine sound like a small bell rather than a test signal. */
const SECOND_HARMONIC = 0.25;
/** −18 dBFS peak: audible over a desktop's usual volume without startling. */
const CUE_PEAK = 0.125;

export const TEST_TONE_HZ = 440;
export const TEST_TONE_MS = 1_000;
/** −12 dBFS: a clear level check that is not loud. */
const TEST_TONE_PEAK = 0.25;
const TEST_TONE_FADE_MS = 20;

const cache = new Map<string, Int16Array>();

/** The PCM of `cue` (mono s16, ~120 ms) at `sampleRate`. */
export function cuePcm(cue: CueName, sampleRate: number = DEFAULT_REPLY_RATE): Int16Array {
  const key = `${cue}@${sampleRate}`;
  let pcm = cache.get(key);
  if (!pcm) {
    const notes = cue === 'listenStart' ? [LOW_NOTE_HZ, HIGH_NOTE_HZ] : [HIGH_NOTE_HZ, LOW_NOTE_HZ];
    pcm = concat(notes.map((frequency) => note(frequency, sampleRate)));
    cache.set(key, pcm);
  }
  return pcm;
}

/** A 440 Hz tone for checking the speaker, with fades at both ends. */
export function testTone(
  sampleRate: number = DEFAULT_REPLY_RATE,
  durationMs = TEST_TONE_MS,
): Int16Array {
  const count = msToSamples(durationMs, sampleRate);
  const fade = Math.min(msToSamples(TEST_TONE_FADE_MS, sampleRate), Math.floor(count / 2));
  return Int16Array.from({ length: count }, (_, i) => {
    const edge = Math.min(i, count - 1 - i);
    const gain = edge < fade ? raisedCosine(edge / fade) : 1;
    return Math.round(
      32767 * TEST_TONE_PEAK * gain * Math.sin((2 * Math.PI * TEST_TONE_HZ * i) / sampleRate),
    );
  });
}

/** Plays cues through anything that can mix a clip in (the speaker), unless switched off. */
export class CuePlayer {
  readonly #target: { readonly sampleRate: number; playClip(pcm: Int16Array): void };
  #enabled: boolean;

  constructor(
    target: { readonly sampleRate: number; playClip(pcm: Int16Array): void },
    enabled = true,
  ) {
    this.#target = target;
    this.#enabled = enabled;
  }

  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
  }

  play(cue: CueName): void {
    if (this.#enabled) this.#target.playClip(cuePcm(cue, this.#target.sampleRate));
  }
}

function note(frequency: number, sampleRate: number): Int16Array {
  const count = msToSamples(NOTE_MS, sampleRate);
  const attack = msToSamples(ATTACK_MS, sampleRate);
  const release = msToSamples(RELEASE_MS, sampleRate);
  const decay = msToSamples(DECAY_MS, sampleRate);
  const norm = 1 / (1 + SECOND_HARMONIC);
  return Int16Array.from({ length: count }, (_, i) => {
    const phase = (2 * Math.PI * frequency * i) / sampleRate;
    const wave = (Math.sin(phase) + SECOND_HARMONIC * Math.sin(2 * phase)) * norm;
    let envelope = Math.exp(-i / decay);
    if (i < attack) envelope *= raisedCosine(i / attack);
    const left = count - 1 - i;
    if (left < release) envelope *= raisedCosine(left / release);
    return Math.round(32767 * CUE_PEAK * envelope * wave);
  });
}

/** 0 → 1 along half a cosine: a fade with no corner at either end. */
function raisedCosine(x: number): number {
  return 0.5 - 0.5 * Math.cos(Math.PI * Math.min(1, Math.max(0, x)));
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
