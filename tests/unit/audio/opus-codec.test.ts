import { describe, expect, it } from 'vitest';
import { ReplyDecoder, SpeechEncoder } from '../../../main/core/audio/opus-codec.ts';
import { bestCorrelation, goertzel, sineInt16 } from './helpers/signal.ts';

/** A voiced, speech-like test signal: a 150 Hz fundamental with falling harmonics, swelling. */
function voiced(sampleRate: number, durationMs: number): Int16Array {
  const count = (sampleRate * durationMs) / 1000;
  return Int16Array.from({ length: count }, (_, i) => {
    const t = i / sampleRate;
    let x = 0;
    for (let h = 1; h <= 12; h++) x += Math.sin(2 * Math.PI * 150 * h * t) / h;
    const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t);
    return Math.round(5_000 * envelope * x);
  });
}

function encodeAll(encoder: SpeechEncoder, pcm: Int16Array): Uint8Array[] {
  const packets: Uint8Array[] = [];
  for (let at = 0; at + encoder.frameSamples <= pcm.length; at += encoder.frameSamples) {
    packets.push(encoder.encode(pcm.subarray(at, at + encoder.frameSamples)));
  }
  return packets;
}

function decodeAll(decoder: ReplyDecoder, packets: Uint8Array[]): Int16Array {
  const parts = packets.map((packet) => {
    const result = decoder.decode(packet);
    if (!result.ok) throw new Error(result.error);
    return result.pcm;
  });
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('SpeechEncoder and ReplyDecoder', () => {
  for (const frameDurationMs of [20, 40, 60] as const) {
    it(`round-trips a tone through ${frameDurationMs} ms frames with correlation > 0.9`, () => {
      const encoder = new SpeechEncoder({ frameDurationMs });
      expect(encoder.frameSamples).toBe(16 * frameDurationMs);
      const input = sineInt16(16_000, 440, 1_200, 0.4);
      const packets = encodeAll(encoder, input);
      // 24 kbit/s VBR: a 60 ms packet is ~180 bytes, far below an unconstrained 64 kbit/s.
      const perSecond = packets.reduce((n, p) => n + p.length, 0) / 1.2;
      expect(perSecond).toBeLessThan(4_500);
      const output = decodeAll(new ReplyDecoder(16_000), packets);
      expect(output.length).toBe(input.length);
      const { correlation } = bestCorrelation(input.subarray(1_600), output.subarray(1_600), 400);
      expect(correlation).toBeGreaterThan(0.9);
    });
  }

  it('decodes 16 kHz packets at 48 kHz, keeping pitch and duration', () => {
    const encoder = new SpeechEncoder({ frameDurationMs: 60 });
    const packets = encodeAll(encoder, voiced(16_000, 1_200));
    const decoder = new ReplyDecoder();
    expect(decoder.sampleRate).toBe(48_000);
    const output = decodeAll(decoder, packets);
    expect(output.length).toBe(packets.length * 2_880);
    const steady = output.subarray(9_600);
    expect(goertzel(steady, 48_000, 150, 32768)).toBeGreaterThan(0.05);
    expect(goertzel(steady, 48_000, 150, 32768)).toBeGreaterThan(
      5 * goertzel(steady, 48_000, 175, 32768),
    );
  });

  it('turns empty and corrupt packets into typed failures, then keeps decoding', () => {
    const decoder = new ReplyDecoder();
    expect(decoder.decode(new Uint8Array(0))).toMatchObject({ ok: false, reason: 'empty' });
    // TOC code 3 with a frame count of 0 is invalid (RFC 6716 §3.2.5).
    const corrupt = decoder.decode(new Uint8Array([0x03, 0x00]));
    expect(corrupt).toMatchObject({ ok: false, reason: 'invalid' });
    if (!corrupt.ok) expect(corrupt.error).toMatch(/invalid Opus packet/);
    const good = new SpeechEncoder().encode(sineInt16(16_000, 440, 60));
    expect(decoder.decode(good)).toMatchObject({ ok: true });
  });

  it('reset() starts a fresh decoder state', () => {
    const encoder = new SpeechEncoder({ frameDurationMs: 20 });
    const packets = encodeAll(encoder, voiced(16_000, 400));
    const decoder = new ReplyDecoder(16_000);
    const first = decodeAll(decoder, packets);
    decoder.reset();
    const again = decodeAll(decoder, packets);
    expect(Array.from(again)).toEqual(Array.from(first));
  });

  it('rejects wrong frame sizes and rates Opus cannot decode at', () => {
    const encoder = new SpeechEncoder({ frameDurationMs: 40 });
    expect(() => encoder.encode(new Int16Array(960))).toThrow(RangeError);
    expect(() => new ReplyDecoder(44_100)).toThrow(RangeError);
    expect(() => new SpeechEncoder({ frameDurationMs: 30 as 20 })).toThrow(RangeError);
  });

  it('sends tiny packets in silence when DTX is on', () => {
    const encoder = new SpeechEncoder({ dtx: true });
    const packets = encodeAll(encoder, new Int16Array(960 * 20));
    expect(packets.slice(-5).every((packet) => packet.length <= 3)).toBe(true);
  });
});
