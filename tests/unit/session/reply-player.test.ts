import { describe, expect, it } from 'vitest';
import type { PacketLossStats } from '../../../shared/session-events.ts';
import { opusBinding } from '../../../main/core/audio/opus-binding.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import type { AudioSink } from '../../../main/core/audio/sink.ts';
import { ReplyPlayer } from '../../../main/core/session/reply-player.ts';

const RATE = 48_000;
const TTS_RATE = 24_000;
const TTS_FRAME = (TTS_RATE * 60) / 1000;
/** One 60 ms packet decoded at 48 kHz. */
const PACKET = (RATE * 60) / 1000;

/** The device end of the player: what it was given, in order. */
class RecordingSink implements AudioSink {
  readonly sampleRate = RATE;
  written: Int16Array[] = [];
  loss: PacketLossStats | null = null;
  beginReply(): void {
    this.written = [];
  }
  write(pcm: Int16Array): void {
    this.written.push(pcm);
  }
  notePacketLoss(loss: PacketLossStats): void {
    this.loss = loss;
  }
  endReply(): Promise<void> {
    return Promise.resolve();
  }
  flush(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
  get samples(): number {
    return this.written.reduce((sum, pcm) => sum + pcm.length, 0);
  }
}

/** 40 packets of syllabic voice as the TTS sends them, with in-band FEC (10 % expected loss). */
function replyPackets(): Uint8Array[] {
  const { OpusEncoder } = opusBinding();
  const encoder = new OpusEncoder(TTS_RATE, 1, 2048);
  encoder.set(4002, 32_000);
  encoder.set(4012, 1);
  encoder.set(4014, 10);
  let phase = 0;
  return Array.from({ length: 40 }, (_, k) => {
    const frame = new Int16Array(TTS_FRAME);
    for (let i = 0; i < TTS_FRAME; i++) {
      const t = (k * TTS_FRAME + i) / TTS_RATE;
      phase += (150 + 40 * Math.sin(2 * Math.PI * 0.8 * t)) / TTS_RATE;
      let x = 0;
      for (let h = 1; h <= 10; h++) x += Math.sin(2 * Math.PI * h * phase) / h;
      frame[i] = Math.round(9_000 * Math.max(0, Math.sin(2 * Math.PI * 2.5 * t)) * x);
    }
    return encoder.encode(frame);
  });
}

function player(): { player: ReplyPlayer; sink: RecordingSink; skipped: string[] } {
  const sink = new RecordingSink();
  const skipped: string[] = [];
  const replyPlayer = new ReplyPlayer(
    sink,
    (rate) => new ReplyDecoder(rate),
    (reason) => skipped.push(reason),
  );
  return { player: replyPlayer, sink, skipped };
}

describe('ReplyPlayer with sequence numbers', () => {
  const packets = replyPackets();
  const hasFec = (index: number) => opusBinding().packetHasFec(packets[index]!);

  it('fills every lost packet’s duration, from FEC where the next packet has it', () => {
    // A lone loss before a packet with FEC, and a burst of three.
    const single = packets.findIndex((_, i) => i > 2 && hasFec(i + 1));
    const burstStart = single + 8;
    const lost = new Set([single, burstStart, burstStart + 1, burstStart + 2]);
    const { player: reply, sink } = player();
    reply.begin();
    packets.forEach((packet, i) => {
      if (!lost.has(i)) reply.push(packet, i * 60, i + 1);
    });
    // The reply keeps its length: nothing missing, nothing doubled.
    expect(sink.samples).toBe(packets.length * PACKET);
    const burstFec = hasFec(burstStart + 3) ? 1 : 0;
    expect(sink.loss).toEqual({
      lostPackets: 4,
      latePackets: 0,
      duplicatePackets: 0,
      recoveredPackets: 1 + burstFec,
      lossConcealedMs: (3 - burstFec) * 60,
    });
  });

  it('drops duplicates and late packets without playing them twice', () => {
    const { player: reply, sink } = player();
    reply.begin();
    expect(reply.push(packets[0]!, 0, 1)).toBe(true);
    expect(reply.push(packets[2]!, 120, 3)).toBe(true);
    expect(reply.push(packets[1]!, 130, 2)).toBe(false);
    expect(reply.push(packets[2]!, 140, 3)).toBe(false);
    expect(reply.push(packets[3]!, 180, 4)).toBe(true);
    expect(sink.samples).toBe(4 * PACKET);
    expect(sink.loss).toMatchObject({ lostPackets: 1, latePackets: 1, duplicatePackets: 1 });
  });

  it('starts over at each reply: the first packet sets the base', () => {
    const { player: reply, sink } = player();
    reply.begin();
    reply.push(packets[0]!, 0, 7);
    reply.push(packets[1]!, 60, 9);
    expect(sink.loss?.lostPackets).toBe(1);
    reply.begin();
    expect(reply.push(packets[2]!, 0, 1)).toBe(true);
    expect(reply.push(packets[3]!, 60, 2)).toBe(true);
    expect(sink.samples).toBe(2 * PACKET);
  });

  it('without sequence numbers (WebSocket) decodes every packet as it comes', () => {
    const { player: reply, sink, skipped } = player();
    reply.begin();
    for (const packet of [packets[0]!, packets[0]!, packets[5]!]) reply.push(packet, 0);
    reply.push(new Uint8Array([0xff, 0x00, 1, 2]), 0);
    expect(sink.samples).toBe(3 * PACKET);
    expect(sink.loss).toBeNull();
    expect(skipped).toHaveLength(1);
  });
});
