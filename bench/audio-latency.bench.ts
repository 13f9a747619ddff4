/**
 * Time Lumi's own audio code adds, per frame, outside any deliberate buffering:
 * - playback: a reply packet arrives → decoded → into the jitter buffer; later the block that
 *   starts it is pulled, rendered (volume, device format) and written to the output stream.
 *   The wait inside the jitter buffer is its job and is not counted.
 * - capture: a 20 ms block leaves the input stream → the frame it completes is resampled,
 *   metered, encoded and emitted (MicrophoneCapture, end to end, on a stand-in device).
 */
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import type { AudioOptions, IoStreamRead, IoStreamWrite } from 'naudiodon';
import { BlockRenderer } from '../main/core/audio/block-renderer.ts';
import type { AudioBackend } from '../main/core/audio/devices.ts';
import { JitterBuffer } from '../main/core/audio/jitter-buffer.ts';
import { MicrophoneCapture } from '../main/core/audio/microphone.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import { opusAddon } from '../main/core/audio/opus-native.ts';
import { PLAYOUT_BLOCK_MS } from '../main/core/audio/speaker-sink.ts';
import { fromRuns, percentile } from './stats.ts';
import type { BenchResult } from './types.ts';

const REPLY_FRAMES = 1_000;
const SERVER_RATE = 24_000;
const FRAME_MS = 60;
const PLAYOUT_RATE = 48_000;
/** The speaker's playout block. */
const BLOCK = (PLAYOUT_RATE * PLAYOUT_BLOCK_MS) / 1000;
const FRAME_48K = (PLAYOUT_RATE * FRAME_MS) / 1000;
const CAPTURE_FRAMES = 600;
const CAPTURE_BLOCK = 960;
const TARGET = '≤ 5';
/** Each run replays the whole reply and capture; the figure is the median of the runs' p99. */
const RUNS = 5;

export default async function bench(): Promise<BenchResult[]> {
  const playback: number[] = [];
  const capture: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    playback.push(percentile(await playbackLatencies(), 0.99));
    capture.push(percentile(await captureLatencies(), 0.99));
  }
  return [
    fromRuns('latency.playback.p99', 'ms', playback, TARGET),
    fromRuns('latency.capture.p99', 'ms', capture, TARGET),
  ];
}

async function playbackLatencies(): Promise<number[]> {
  const packets = replyPackets();
  const decoder = new ReplyDecoder(PLAYOUT_RATE);
  const buffer = new JitterBuffer({ sampleRate: PLAYOUT_RATE });
  const renderer = new BlockRenderer({ channels: 1, volume: 80, resampler: null });
  const device = new Writable({ write: (_chunk, _encoding, done) => done() });
  const block = new Int16Array(BLOCK);
  const arrivalCost: number[] = [];
  const blockCost: number[] = [];

  const pullOne = async (): Promise<void> => {
    const started = performance.now();
    buffer.pull(block);
    const bytes = renderer.render(block);
    await new Promise<void>((resolve) => device.write(bytes, () => resolve()));
    blockCost.push(performance.now() - started);
  };

  buffer.begin();
  for (let i = 0; i < packets.length; i++) {
    const started = performance.now();
    const decoded = decoder.decode(packets[i] ?? new Uint8Array());
    if (!decoded.ok) throw new Error(decoded.error);
    buffer.push(decoded.pcm, started);
    arrivalCost.push(performance.now() - started);
    // The first five frames come in a burst; afterwards one arrives per 60 ms played.
    if (i >= 4) {
      while ((blockCost.length + 1) * BLOCK <= (i - 3) * FRAME_48K) await pullOne();
    }
  }
  if (buffer.stats.underruns > 0) throw new Error('the playback simulation underran');
  // Frame i's first sample is played in block ⌊i·frame / block⌋.
  return arrivalCost
    .map((cost, i) => cost + (blockCost[Math.floor((i * FRAME_48K) / BLOCK)] ?? Number.NaN))
    .slice(0, -5);
}

async function captureLatencies(): Promise<number[]> {
  const device = new BenchInputDevice();
  const mic = new MicrophoneCapture({ backend: device, frameDurationMs: FRAME_MS });
  const latencies: number[] = [];
  let deliveredAt = 0;
  mic.on('frame', () => latencies.push(performance.now() - deliveredAt));
  await mic.start();
  const voice = voiced(48_000, (CAPTURE_FRAMES * FRAME_MS) / 1000);
  for (let at = 0; at + CAPTURE_BLOCK <= voice.length; at += CAPTURE_BLOCK) {
    deliveredAt = performance.now();
    device.deliver(voice.subarray(at, at + CAPTURE_BLOCK));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await mic.stop();
  return latencies;
}

/** A reply as the server sends it: 24 kHz speech-like audio in 60 ms Opus packets. */
function replyPackets(): Uint8Array[] {
  const { OpusEncoder } = opusAddon();
  const encoder = new OpusEncoder(SERVER_RATE, 1);
  encoder.applyEncoderCTL(4000, 2048);
  const frame = (SERVER_RATE * FRAME_MS) / 1000;
  const speech = voiced(SERVER_RATE, (REPLY_FRAMES * FRAME_MS) / 1000);
  const packets: Uint8Array[] = [];
  for (let at = 0; at + frame <= speech.length; at += frame) {
    const pcm = speech.subarray(at, at + frame);
    packets.push(encoder.encode(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)));
  }
  return packets;
}

/** A 120 Hz voice with falling harmonics, in 4 Hz syllables (s16). */
function voiced(rate: number, seconds: number): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => {
    const t = i / rate;
    let x = 0;
    for (let h = 1; h <= 20; h++) x += Math.sin(2 * Math.PI * 120 * h * t) / h;
    return Math.round(6_000 * Math.max(0, Math.sin(2 * Math.PI * 4 * t)) * x);
  });
}

/** An input device that delivers whatever the bench hands it, at once. */
class BenchInputDevice implements AudioBackend {
  #stream: Readable | null = null;

  getDevices(): [] {
    return [];
  }

  openInput(_options: AudioOptions): IoStreamRead {
    const stream = Object.assign(new Readable({ read: () => undefined }), {
      start: () => undefined,
      quit: (callback?: () => void) => callback?.(),
      abort: (callback?: () => void) => callback?.(),
    });
    this.#stream = stream;
    return stream as unknown as IoStreamRead;
  }

  openOutput(_options: AudioOptions): IoStreamWrite {
    throw new Error('the capture bench has no output');
  }

  deliver(samples: Int16Array): void {
    this.#stream?.push(Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  }
}
