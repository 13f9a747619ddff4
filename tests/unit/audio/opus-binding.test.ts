import { describe, expect, it } from 'vitest';
import { opusBinding } from '../../../main/core/audio/opus-binding.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { bestCorrelation, rms } from './helpers/signal.ts';
import { seededRandom, syllabicVoice } from '../../helpers/signals.ts';

/** The reference server's TTS format: 24 kHz mono, 60 ms packets. */
const TTS_RATE = 24_000;
const TTS_FRAME = (TTS_RATE * 60) / 1000;
const OUT_RATE = 48_000;
const OUT_FRAME = (OUT_RATE * 60) / 1000;
const APPLICATION_VOIP = 2048;
const CTL = { bitrate: 4002, fec: 4012, loss: 4014 };
/** Random buffers the fuzz loop feeds every entry point. */
const FUZZ_ROUNDS = 3_000;

function ttsPackets(fec: boolean): Uint8Array[] {
  const { OpusEncoder } = opusBinding();
  const encoder = new OpusEncoder(TTS_RATE, 1, APPLICATION_VOIP);
  encoder.set(CTL.bitrate, 32_000);
  encoder.set(CTL.fec, fec ? 1 : 0);
  encoder.set(CTL.loss, fec ? 10 : 0);
  const pcm = syllabicVoice(TTS_RATE, 3);
  const packets: Uint8Array[] = [];
  for (let at = 0; at + TTS_FRAME <= pcm.length; at += TTS_FRAME) {
    packets.push(encoder.encode(pcm.subarray(at, at + TTS_FRAME)));
  }
  return packets;
}

/** What a decoder that saw every packet makes of packet `index`. */
function reference(packets: Uint8Array[], index: number): Int16Array {
  const decoder = new ReplyDecoder(OUT_RATE);
  let out: Int16Array = new Int16Array(0);
  for (let i = 0; i <= index; i++) {
    const result = decoder.decode(packets[i]!);
    if (!result.ok) throw new Error(result.error);
    out = result.pcm;
  }
  return out;
}

/** Packet `index` lost: filled by `fill` on the decoder that decoded the packets before it. */
function filled(
  packets: Uint8Array[],
  index: number,
  fill: (decoder: ReplyDecoder) => Int16Array,
): Int16Array {
  const decoder = new ReplyDecoder(OUT_RATE);
  for (let i = 0; i < index; i++) decoder.decode(packets[i]!);
  return fill(decoder);
}

function randomBytes(length: number, random: () => number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

describe('Lumi’s Opus binding', () => {
  it('round-trips speech at the TTS format', () => {
    const packets = ttsPackets(false);
    const decoder = new ReplyDecoder(TTS_RATE);
    const decoded = packets.map((packet) => {
      const result = decoder.decode(packet);
      if (!result.ok) throw new Error(result.error);
      return result.pcm;
    });
    expect(decoded.every((pcm) => pcm.length === TTS_FRAME)).toBe(true);
    const whole = Int16Array.from(decoded.flatMap((pcm) => [...pcm]));
    const original = syllabicVoice(TTS_RATE, 3);
    // Opus delays by a few ms (its look-ahead); the best lag finds it.
    const { correlation } = bestCorrelation(original.subarray(0, 48_000), whole, 400);
    expect(correlation).toBeGreaterThan(0.85);
  });

  it('rebuilds a lost packet from the next one’s FEC, closer than concealment', () => {
    const packets = ttsPackets(true);
    // Packet 10 (0.6–0.66 s) is mid-syllable, so the encoder gave it FEC.
    const lost = 9;
    const next = packets[lost + 1]!;
    const decoder = new ReplyDecoder(OUT_RATE);
    expect(decoder.hasFec(next)).toBe(true);
    expect(decoder.packetSamples(next)).toBe(OUT_FRAME);

    const truth = reference(packets, lost);
    const recovered = filled(packets, lost, (d) => {
      const result = d.recover(next, OUT_FRAME);
      if (!result.ok) throw new Error(result.error);
      return result.pcm;
    });
    const concealed = filled(packets, lost, (d) => d.conceal(OUT_FRAME));
    expect(recovered.length).toBe(OUT_FRAME);
    const error = (pcm: Int16Array) => rms(pcm.map((x, i) => x - (truth[i] ?? 0)));
    const fecCorrelation = bestCorrelation(truth, recovered, 0).correlation;
    expect(fecCorrelation).toBeGreaterThan(0.5);
    expect(fecCorrelation).toBeGreaterThan(bestCorrelation(truth, concealed, 0).correlation);
    expect(error(recovered)).toBeLessThan(error(concealed));
  });

  it('sees no FEC in packets encoded without it', () => {
    const decoder = new ReplyDecoder(OUT_RATE);
    expect(ttsPackets(false).some((packet) => decoder.hasFec(packet))).toBe(false);
  });

  it('conceals exactly the length asked for', () => {
    const { OpusDecoder } = opusBinding();
    const decoder = new OpusDecoder(OUT_RATE, 1);
    for (const samples of [120, 960, 2_880, 5_760]) {
      expect(decoder.conceal(samples)).toHaveLength(samples);
    }
    // Longer gaps and odd lengths through ReplyDecoder: whole steps concealed, the rest silent.
    const reply = new ReplyDecoder(OUT_RATE);
    expect(reply.conceal(3 * OUT_FRAME)).toHaveLength(3 * OUT_FRAME);
    expect(reply.conceal(1_000)).toHaveLength(1_000);
    expect(() => decoder.conceal(100)).toThrow(RangeError);
    expect(() => decoder.conceal(5_761)).toThrow(RangeError);
  });

  it('throws on every malformed input and never crashes', () => {
    const { OpusDecoder, OpusEncoder, packetHasFec } = opusBinding();
    const decoder = new OpusDecoder(OUT_RATE, 1);
    const random = seededRandom(13);
    let threw = 0;
    for (let round = 0; round < FUZZ_ROUNDS; round++) {
      const packet = randomBytes(1 + Math.floor(random() * 1_500), random);
      for (const call of [
        () => decoder.decode(packet, OUT_FRAME * 2),
        () => decoder.decodeFec(packet, OUT_FRAME),
        () => decoder.packetSamples(packet),
        () => packetHasFec(packet),
      ]) {
        try {
          call();
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          threw++;
        }
      }
    }
    // Random bytes are often valid-looking Opus; many are not.
    expect(threw).toBeGreaterThan(FUZZ_ROUNDS / 10);

    const bad: unknown[] = [undefined, null, 7, 'opus', {}, [], new Uint8Array(0)];
    for (const value of bad) {
      expect(() => decoder.decode(value as Uint8Array, OUT_FRAME)).toThrow();
      expect(() => packetHasFec(value as Uint8Array)).toThrow();
    }
    expect(() => decoder.decode(new Uint8Array(70_000), OUT_FRAME)).toThrow(RangeError);
    expect(() => decoder.decode(new Uint8Array([0xf8, 1, 2]), 0)).toThrow(RangeError);
    expect(() => decoder.decode(new Uint8Array([0xf8, 1, 2]), Number.NaN)).toThrow(RangeError);
    expect(() => decoder.decode(new Int16Array(8) as unknown as Uint8Array, 960)).toThrow(
      TypeError,
    );
    expect(() => new OpusDecoder(44_100, 1)).toThrow(RangeError);
    expect(() => new OpusDecoder(48_000, 3)).toThrow(RangeError);

    const encoder = new OpusEncoder(16_000, 1, APPLICATION_VOIP);
    expect(() => encoder.encode(new Int16Array(100))).toThrow(RangeError);
    expect(() => encoder.encode(new Uint8Array(1_920) as unknown as Int16Array)).toThrow(TypeError);
    expect(() => encoder.set(4000, 2049)).toThrow(RangeError);
    expect(() => encoder.set(CTL.bitrate, 0)).toThrow(/invalid argument/);
    const call = OpusDecoder.prototype.decode;
    expect(() => call.call({}, new Uint8Array([0xf8]), 960)).toThrow(TypeError);
    // The decoder still works after all of that.
    expect(new ReplyDecoder(OUT_RATE).decode(ttsPackets(false)[0]!).ok).toBe(true);
  });
});
