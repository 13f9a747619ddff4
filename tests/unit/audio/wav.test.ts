import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeWav,
  downmixToMono,
  encodeMonoWav,
  readWavFile,
  WavError,
} from '../../../main/core/audio/wav.ts';
import { NullSink, WavFileSink } from '../../../main/core/audio/wav-sink.ts';
import { goertzel, sineInt16 } from './helpers/signal.ts';

interface FmtOptions {
  readonly tag: number;
  readonly channels: number;
  readonly rate: number;
  readonly bits: number;
  readonly extensibleSubformat?: number;
}

/** Builds a WAV file by hand, chunk by chunk, so the tests control every field. */
function buildWav(fmt: FmtOptions, data: Uint8Array, extraChunks: Uint8Array[] = []): Uint8Array {
  const extensible = fmt.extensibleSubformat !== undefined;
  const fmtBody = new Uint8Array(extensible ? 40 : 16);
  const f = new DataView(fmtBody.buffer);
  const blockAlign = (fmt.bits / 8) * fmt.channels;
  f.setUint16(0, fmt.tag, true);
  f.setUint16(2, fmt.channels, true);
  f.setUint32(4, fmt.rate, true);
  f.setUint32(8, fmt.rate * blockAlign, true);
  f.setUint16(12, blockAlign, true);
  f.setUint16(14, fmt.bits, true);
  if (extensible) {
    f.setUint16(16, 22, true);
    f.setUint16(18, fmt.bits, true);
    f.setUint16(24, fmt.extensibleSubformat ?? 1, true);
  }
  const chunks = [...extraChunks, chunk('fmt ', fmtBody), chunk('data', data)];
  const body = concat([ascii('WAVE'), ...chunks]);
  const header = new Uint8Array(8);
  header.set(ascii('RIFF'));
  new DataView(header.buffer).setUint32(4, body.length, true);
  return concat([header, body]);
}

function chunk(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length % 2));
  out.set(ascii(id));
  new DataView(out.buffer).setUint32(4, body.length, true);
  out.set(body, 8);
  return out;
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function expectWavError(bytes: Uint8Array, code: WavError['code']): WavError {
  try {
    decodeWav(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(WavError);
    expect((error as WavError).code).toBe(code);
    expect((error as WavError).message.length).toBeGreaterThan(10);
    return error as WavError;
  }
  throw new Error(`expected a WavError ${code}`);
}

describe('decodeWav', () => {
  it('round-trips mono s16 written by encodeMonoWav', () => {
    const tone = sineInt16(16_000, 1_000, 100, 0.5);
    const decoded = decodeWav(encodeMonoWav(tone, 16_000));
    expect(decoded.sampleRate).toBe(16_000);
    expect(decoded.channels).toBe(1);
    expect(decoded.samples.length).toBe(tone.length);
    for (let i = 0; i < tone.length; i += 97) {
      expect(decoded.samples[i]).toBeCloseTo((tone[i] ?? 0) / 32768, 6);
    }
  });

  it('reads 8-bit unsigned, 24-bit, 32-bit integer and 32-bit float samples', () => {
    const cases: {
      bits: number;
      tag: number;
      write: (v: DataView, at: number, x: number) => void;
    }[] = [
      { bits: 8, tag: 1, write: (v, at, x) => v.setUint8(at, Math.round(x * 127) + 128) },
      {
        bits: 24,
        tag: 1,
        write: (v, at, x) => {
          const s = Math.round(x * 8388607);
          v.setUint16(at, s & 0xffff, true);
          v.setInt8(at + 2, s >> 16);
        },
      },
      { bits: 32, tag: 1, write: (v, at, x) => v.setInt32(at, Math.round(x * 2147483647), true) },
      { bits: 32, tag: 3, write: (v, at, x) => v.setFloat32(at, x, true) },
    ];
    const values = [0, 0.5, -0.5, 0.25, -0.999];
    for (const { bits, tag, write } of cases) {
      const data = new Uint8Array(values.length * (bits / 8));
      const view = new DataView(data.buffer);
      values.forEach((x, i) => write(view, i * (bits / 8), x));
      const decoded = decodeWav(buildWav({ tag, channels: 1, rate: 22_050, bits }, data));
      expect(decoded.sampleRate).toBe(22_050);
      values.forEach((x, i) => expect(decoded.samples[i]).toBeCloseTo(x, 1));
    }
  });

  it('reads WAVE_FORMAT_EXTENSIBLE stereo and downmixes it to mono', () => {
    const data = new Uint8Array(4 * 4);
    const view = new DataView(data.buffer);
    const frames = [
      [16384, -16384],
      [8192, 8192],
      [0, 16384],
      [-32768, -32768],
    ];
    frames.forEach(([l, r], i) => {
      view.setInt16(i * 4, l ?? 0, true);
      view.setInt16(i * 4 + 2, r ?? 0, true);
    });
    const decoded = decodeWav(
      buildWav({ tag: 0xfffe, channels: 2, rate: 44_100, bits: 16, extensibleSubformat: 1 }, data),
    );
    expect(decoded.channels).toBe(2);
    expect(Array.from(downmixToMono(decoded))).toEqual([0, 0.25, 0.25, -1]);
  });

  it('skips unknown chunks and keeps the whole frames of a truncated data chunk', () => {
    const data = new Uint8Array([1, 0, 2, 0, 3, 0]);
    const whole = buildWav({ tag: 1, channels: 1, rate: 8_000, bits: 16 }, data, [
      chunk('LIST', ascii('INFOsome metadata!')),
    ]);
    // Cut the file inside its last sample, as an interrupted recording is.
    const wav = whole.subarray(0, whole.length - 1);
    const decoded = decodeWav(wav);
    expect(decoded.samples.length).toBe(2);
    expect(decoded.samples[1]).toBeCloseTo(2 / 32768, 8);
  });

  it('gives a typed, explained error for every malformed or unsupported file', () => {
    const pcm = new Uint8Array(8);
    expectWavError(new Uint8Array(0), 'not_riff');
    expectWavError(ascii('RIFF\0\0\0\0AVI LIST'), 'not_wave');
    expectWavError(concat([ascii('RIFF\x04\0\0\0WAVE')]), 'missing_fmt');
    expectWavError(
      concat([ascii('RIFF\0\0\0\0WAVE'), chunk('data', pcm), chunk('fmt ', new Uint8Array(16))]),
      'missing_fmt',
    );
    const noData = buildWav({ tag: 1, channels: 1, rate: 8_000, bits: 16 }, pcm).subarray(0, 36);
    expectWavError(noData, 'missing_data');
    expectWavError(
      concat([ascii('RIFF\0\0\0\0WAVE'), chunk('fmt ', new Uint8Array(8))]),
      'bad_fmt',
    );
    expectWavError(buildWav({ tag: 1, channels: 0, rate: 8_000, bits: 16 }, pcm), 'bad_fmt');
    expectWavError(buildWav({ tag: 1, channels: 1, rate: 7, bits: 16 }, pcm), 'bad_fmt');
    const adpcm = expectWavError(
      buildWav({ tag: 0x11, channels: 1, rate: 8_000, bits: 4 }, pcm),
      'unsupported_encoding',
    );
    expect(adpcm.message).toContain('0x0011');
    expectWavError(
      buildWav({ tag: 3, channels: 1, rate: 8_000, bits: 64 }, pcm),
      'unsupported_encoding',
    );
    expectWavError(
      buildWav({ tag: 1, channels: 1, rate: 8_000, bits: 12 }, pcm),
      'unsupported_encoding',
    );
  });

  it('never throws anything but WavError on random bytes', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const valid = encodeMonoWav(sineInt16(8_000, 440, 20), 8_000);
    for (let round = 0; round < 300; round++) {
      const bytes = valid.slice(0, Math.floor(random() * valid.length));
      for (let k = 0; k < 4; k++) bytes[Math.floor(random() * bytes.length)] = random() * 256;
      try {
        decodeWav(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(WavError);
      }
    }
  });
});

describe('file sinks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lumi-wav-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an unreadable path as a WavError', async () => {
    await expect(readWavFile(join(dir, 'missing.wav'))).rejects.toMatchObject({
      code: 'unreadable',
    });
  });

  it('WavFileSink writes every frame of every reply and patches the header sizes', async () => {
    const path = join(dir, 'reply.wav');
    const sink = new WavFileSink(path, 24_000);
    const tone = sineInt16(24_000, 1_000, 60, 0.4);
    sink.beginReply();
    for (let i = 0; i < 5; i++) sink.write(tone, i);
    await expect(sink.endReply()).resolves.toBeUndefined();
    sink.beginReply();
    sink.write(tone, 10);
    await sink.endReply();
    await sink.close();

    expect(sink.samplesWritten).toBe(6 * tone.length);
    const bytes = await readFile(path);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(40, true)).toBe(6 * tone.length * 2);
    expect(view.getUint32(4, true)).toBe(bytes.length - 8);
    const decoded = await readWavFile(path);
    expect(decoded.sampleRate).toBe(24_000);
    expect(decoded.samples.length).toBe(6 * tone.length);
    expect(goertzel(decoded.samples, 24_000, 1_000)).toBeCloseTo(0.4, 2);
  });

  it('WavFileSink leaves a readable file mid-reply and ignores writes after close', async () => {
    const path = join(dir, 'partial.wav');
    const sink = new WavFileSink(path);
    sink.write(new Int16Array(480).fill(1000), 0);
    await sink.endReply();
    sink.write(new Int16Array(480).fill(2000), 1);
    // Let the queued writes land, as they would while the reply is still playing.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const midReply = decodeWav(await readFile(path));
    expect(midReply.samples.length).toBe(960);
    await sink.close();
    sink.write(new Int16Array(480), 2);
    await sink.close();
    expect((await readWavFile(path)).samples.length).toBe(960);
  });

  it('WavFileSink throws at once for a path it cannot create', () => {
    expect(() => new WavFileSink(join(dir, 'no', 'such', 'dir.wav'))).toThrow(/ENOENT/);
  });

  it('NullSink counts what it discards and never waits', async () => {
    const sink = new NullSink();
    expect(sink.sampleRate).toBe(48_000);
    sink.beginReply();
    sink.write(new Int16Array(2880), 0);
    await expect(sink.endReply()).resolves.toBeUndefined();
    expect(sink.samplesWritten).toBe(2880);
    await sink.close();
  });
});
