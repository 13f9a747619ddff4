/**
 * Opus cost per 60 ms frame: Lumi's native codec (@discordjs/opus) against the wasm build
 * (opusscript) with the same settings. Encoding is the upstream path (16 kHz speech, Lumi's
 * SpeechEncoder settings); decoding is the downstream path (a server's 24 kHz packets decoded
 * at 48 kHz). The input is espeak-ng speech when espeak-ng is installed, else a synthetic voice.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpusScript from 'opusscript';
import {
  DEFAULT_EXPECTED_LOSS_PERCENT,
  DEFAULT_SPEECH_BITRATE,
  DEFAULT_SPEECH_COMPLEXITY,
  ReplyDecoder,
  SpeechEncoder,
} from '../main/core/audio/opus-codec.ts';
import { opusAddon } from '../main/core/audio/opus-native.ts';
import { resampleAll } from '../main/core/audio/resampler.ts';
import { downmixToMono, readWavFile } from '../main/core/audio/wav.ts';
import { floatToInt16 } from '../main/core/audio/pcm.ts';
import { againstBaseline } from './stats.ts';
import type { BenchResult } from './types.ts';

const FRAME_MS = 60;
/** Passes of each codec over the whole input, interleaved (plus one warm-up pass each). */
const PASSES = 7;
/** xiaozhi-esp32-server replies at 24 kHz (docs/protocol.md §5.1); ~32 kbit/s is typical. */
const SERVER_RATE = 24_000;
const SERVER_BITRATE = 32_000;
const TARGET = '≤ 0.8';
const SPEECH_TEXT =
  'Good morning. The weather today is mild, with light wind from the west and a chance of rain ' +
  'in the evening. Your next meeting starts at half past ten. Would you like me to read your ' +
  'messages, play some music, or set a timer for the kitchen?';

// libopus request numbers, as in opus-codec.ts.
const CTL = { vbr: 4006, complexity: 4010, fec: 4012, loss: 4014, dtx: 4016, signal: 4024 };
const SIGNAL_VOICE = 3001;

const run = promisify(execFile);

export default async function bench(): Promise<BenchResult[]> {
  const { speech, source } = await loadSpeech();
  process.stderr.write(`  opus input: ${source}, ${(speech.length / 16_000).toFixed(1)} s\n`);
  const speech16k = floatToInt16(speech);
  const speech24k = floatToInt16(await resampleAll(speech, 16_000, SERVER_RATE));

  const frames16k = split(speech16k, (16_000 * FRAME_MS) / 1000);
  const encode = interleavedPasses(
    frames16k,
    () => {
      const encoder = new SpeechEncoder({ frameDurationMs: FRAME_MS });
      return (frame) => encoder.encode(frame);
    },
    () => {
      const encoder = opusscriptSpeechEncoder();
      return (frame) => encoder.encode(asBuffer(frame), frame.length);
    },
  );

  const packets = serverPackets(split(speech24k, (SERVER_RATE * FRAME_MS) / 1000));
  const decode = interleavedPasses(
    packets,
    () => {
      const decoder = new ReplyDecoder();
      return (packet) => decodeOrThrow(decoder, packet);
    },
    () => {
      const decoder = new OpusScript(48_000, 1, OpusScript.Application.VOIP);
      // The same copy into an aligned Int16Array that ReplyDecoder makes, so only the codecs differ.
      return (packet) => {
        const bytes = decoder.decode(packet);
        const pcm = new Int16Array(bytes.byteLength >> 1);
        new Uint8Array(pcm.buffer).set(bytes.subarray(0, pcm.length * 2));
        return pcm;
      };
    },
  );

  return [
    againstBaseline('opus.encode60ms', 'µs', encode.native, encode.wasm, TARGET),
    againstBaseline('opus.decode60ms', 'µs', decode.native, decode.wasm, TARGET),
  ];
}

type Work<T> = () => (item: T) => unknown;

/**
 * Mean µs per item of each pass, native and wasm passes alternating (which one goes first
 * alternates too), after one warm-up pass of each; fresh codec state every pass.
 */
function interleavedPasses<T>(
  items: readonly T[],
  native: Work<T>,
  wasm: Work<T>,
): { native: number[]; wasm: number[] } {
  const times = { native: [] as number[], wasm: [] as number[] };
  for (let pass = 0; pass <= PASSES; pass++) {
    const order = pass % 2 === 0 ? (['native', 'wasm'] as const) : (['wasm', 'native'] as const);
    for (const codec of order) {
      const perItem = timePass(items, codec === 'native' ? native : wasm);
      if (pass > 0) times[codec].push(perItem);
    }
  }
  return times;
}

function timePass<T>(items: readonly T[], setup: Work<T>): number {
  const work = setup();
  const started = process.hrtime.bigint();
  for (const item of items) work(item);
  return Number(process.hrtime.bigint() - started) / 1000 / items.length;
}

/** opusscript set up exactly as SpeechEncoder sets up @discordjs/opus. */
function opusscriptSpeechEncoder(): OpusScript {
  const encoder = new OpusScript(16_000, 1, OpusScript.Application.VOIP);
  encoder.encoderCTL(CTL.signal, SIGNAL_VOICE);
  encoder.encoderCTL(CTL.vbr, 1);
  encoder.setBitrate(DEFAULT_SPEECH_BITRATE);
  encoder.encoderCTL(CTL.complexity, DEFAULT_SPEECH_COMPLEXITY);
  encoder.encoderCTL(CTL.fec, 1);
  encoder.encoderCTL(CTL.loss, DEFAULT_EXPECTED_LOSS_PERCENT);
  encoder.encoderCTL(CTL.dtx, 0);
  return encoder;
}

/** Packets as a server sends them: 24 kHz, 60 ms. */
function serverPackets(frames: Int16Array[]): Buffer[] {
  const { OpusEncoder } = opusAddon();
  const encoder = new OpusEncoder(SERVER_RATE, 1);
  encoder.applyEncoderCTL(4000, 2048);
  encoder.setBitrate(SERVER_BITRATE);
  return frames.map((frame) => encoder.encode(asBuffer(frame)));
}

function decodeOrThrow(decoder: ReplyDecoder, packet: Uint8Array): Int16Array {
  const decoded = decoder.decode(packet);
  if (!decoded.ok) throw new Error(decoded.error);
  return decoded.pcm;
}

function split(pcm: Int16Array, size: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let at = 0; at + size <= pcm.length; at += size) frames.push(pcm.slice(at, at + size));
  return frames;
}

function asBuffer(pcm: Int16Array): Buffer {
  return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** espeak-ng speech at 16 kHz, or a synthetic voice when espeak-ng is missing. */
async function loadSpeech(): Promise<{ speech: Float32Array; source: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lumi-bench-'));
  try {
    const path = join(dir, 'speech.wav');
    await run('espeak-ng', ['-s', '150', '-w', path, SPEECH_TEXT]);
    const audio = await readWavFile(path);
    const speech = await resampleAll(downmixToMono(audio), audio.sampleRate, 16_000);
    return { speech, source: 'espeak-ng' };
  } catch {
    return {
      speech: syntheticVoice(16_000, 15_000),
      source: 'synthetic voice (espeak-ng missing)',
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A gliding 90–180 Hz pulse train through three formant-like resonances, in syllables. */
function syntheticVoice(rate: number, durationMs: number): Float32Array {
  const count = (rate * durationMs) / 1000;
  const out = new Float32Array(count);
  const formants = [700, 1_200, 2_600];
  let phase = 0;
  for (let i = 0; i < count; i++) {
    const t = i / rate;
    const pitch = 135 + 45 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += pitch / rate;
    let sample = 0;
    for (let h = 1; h * pitch < 7_000; h++) {
      const f = h * pitch;
      const gain = formants.reduce((g, formant) => g + 1 / (1 + ((f - formant) / 150) ** 2), 0);
      sample += (gain / h) * Math.sin(2 * Math.PI * h * phase);
    }
    const syllable = Math.max(0, Math.sin(2 * Math.PI * 4 * t));
    out[i] = 0.15 * syllable * sample;
  }
  return out;
}
