/**
 * `udp.loss10.concealed_ms` (issue 13): a 20 s reply over a transport that loses 10 % of its
 * packets at random (seeded), through the path MQTT+UDP replies take — ReplyPlayer's sequence
 * handling and decoder, then the jitter buffer pulled in 80 ms blocks on the packets' own clock.
 * The reply is encoded like the reference server's TTS (24 kHz, 60 ms) with in-band FEC on at
 * 10 % expected loss, and compared in the same runs with the same reply encoded without FEC:
 * the milliseconds the decoder had to conceal (ratio ≤ 0.5: FEC rebuilds at least half of what
 * concealment alone would fill). `udp.loss10.underruns`: the jitter buffer never ran dry — the
 * lost packets' durations were filled, so loss makes no hole.
 */
import type { PacketLossStats } from '../shared/session-events.ts';
import { JitterBuffer } from '../main/core/audio/jitter-buffer.ts';
import { opusBinding } from '../main/core/audio/opus-binding.ts';
import { ReplyDecoder } from '../main/core/audio/opus-codec.ts';
import type { AudioSink } from '../main/core/audio/sink.ts';
import { ReplyPlayer } from '../main/core/session/reply-player.ts';
import { againstBaseline, fromRuns } from './stats.ts';
import type { BenchResult } from './types.ts';
import { seededRandom, syllabicVoice } from '../tests/helpers/signals.ts';

const REPLY_SECONDS = 20;
const TTS_RATE = 24_000;
const PACKET_MS = 60;
const TTS_BITRATE = 32_000;
const LOSS = 0.1;
const PLAYOUT_RATE = 48_000;
const BLOCK_MS = 80;
/** Seeds of the loss pattern, one run each. */
const SEEDS = [1, 2, 3, 4, 5, 6, 7];
const APPLICATION_VOIP = 2048;
const CTL = { bitrate: 4002, fec: 4012, loss: 4014 };

export default async function bench(): Promise<BenchResult[]> {
  const voice = syllabicVoice(TTS_RATE, REPLY_SECONDS);
  const withFec = encode(voice, true);
  const withoutFec = encode(voice, false);
  const fec: number[] = [];
  const plain: number[] = [];
  const underruns: number[] = [];
  for (const seed of SEEDS) {
    const lost = lossPattern(withFec.length, seed);
    const a = play(withFec, lost);
    const b = play(withoutFec, lost);
    fec.push(a.loss.lossConcealedMs);
    plain.push(b.loss.lossConcealedMs);
    underruns.push(a.underruns);
  }
  return Promise.resolve([
    againstBaseline('udp.loss10.concealed_ms', 'ms', fec, plain, '≤ 0.5'),
    fromRuns('udp.loss10.underruns', '', underruns, '0'),
  ]);
}

/** Packets as the reference server's TTS sends them, with or without in-band FEC. */
function encode(pcm: Int16Array, fec: boolean): Uint8Array[] {
  const { OpusEncoder } = opusBinding();
  const encoder = new OpusEncoder(TTS_RATE, 1, APPLICATION_VOIP);
  encoder.set(CTL.bitrate, TTS_BITRATE);
  encoder.set(CTL.fec, fec ? 1 : 0);
  encoder.set(CTL.loss, fec ? LOSS * 100 : 0);
  const size = (TTS_RATE * PACKET_MS) / 1000;
  const packets: Uint8Array[] = [];
  for (let at = 0; at + size <= pcm.length; at += size) {
    packets.push(encoder.encode(pcm.subarray(at, at + size)));
  }
  return packets;
}

/** Which packets the network drops: LOSS of them, at random, the same for a given seed. */
function lossPattern(count: number, seed: number): boolean[] {
  const random = seededRandom(seed);
  // The first packet sets the sequence base; a reply whose first packet is lost starts later.
  return Array.from({ length: count }, (_, i) => i > 0 && random() < LOSS);
}

/** The jitter buffer as the speaker's sink holds it, pulled by the bench's own clock. */
class BufferSink implements AudioSink {
  readonly sampleRate = PLAYOUT_RATE;
  readonly buffer = new JitterBuffer({ sampleRate: PLAYOUT_RATE, blockMs: BLOCK_MS });
  loss: PacketLossStats | null = null;
  beginReply(): void {
    this.buffer.begin();
  }
  write(pcm: Int16Array, arrivedAt: number): void {
    this.buffer.push(pcm, arrivedAt);
  }
  notePacketLoss(loss: PacketLossStats): void {
    this.loss = loss;
    this.buffer.notePacketLoss(loss);
  }
  endReply(): Promise<void> {
    this.buffer.end();
    return Promise.resolve();
  }
  flush(): void {
    this.buffer.flush();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function play(
  packets: readonly Uint8Array[],
  lost: readonly boolean[],
): { loss: PacketLossStats; underruns: number } {
  const sink = new BufferSink();
  const player = new ReplyPlayer(
    sink,
    (rate) => new ReplyDecoder(rate),
    () => undefined,
  );
  const block = new Int16Array((PLAYOUT_RATE * BLOCK_MS) / 1000);
  player.begin();
  let nextPull = 0;
  packets.forEach((packet, i) => {
    const at = i * PACKET_MS;
    for (; nextPull <= at; nextPull += BLOCK_MS) sink.buffer.pull(block);
    if (!lost[i]) player.push(packet, at, i + 1);
  });
  void player.end();
  while (sink.buffer.pull(block) !== 'drained' && sink.buffer.active);
  if (!sink.loss) throw new Error('udp.loss10: no packet loss was reported');
  return { loss: sink.loss, underruns: sink.buffer.stats.underruns };
}
