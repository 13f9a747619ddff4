/**
 * Reply audio from socket to sink: one decoder per reply (reset at `tts start`, as the firmware
 * does), frames accepted only while a reply is open (FW drops audio outside `speaking`), invalid
 * packets skipped and counted, and the drain after `tts stop` awaited — the server sends
 * `tts stop` ~420 ms after its last frame, while audio is still buffered (docs/protocol.md §5.5).
 *
 * A transport that numbers its packets (MQTT+UDP) passes the sequence number: packet-order.ts
 * drops duplicates and late packets, and the duration of every lost packet is filled before the
 * next one is decoded — rebuilt from that packet's in-band FEC when it carries some, concealed
 * otherwise — so the reply keeps its timing and the jitter buffer sees no hole. Without numbers
 * (WebSocket, which loses nothing) every packet is simply decoded.
 */
import type { PacketLossStats } from '../../../shared/session-events.ts';
import { PacketOrder } from '../audio/packet-order.ts';
import type { AudioSink } from '../audio/sink.ts';
import { samplesToMs } from '../audio/pcm.ts';
import type { ReplyDecoder, ReplyDecoderFactory } from './ports.ts';

export class ReplyPlayer {
  readonly #sink: AudioSink;
  readonly #decoder: ReplyDecoder;
  readonly #onSkipped: (reason: string, total: number) => void;
  #open = false;
  /** From `tts start` until the buffered audio played out (or was flushed). */
  #playing = false;
  #generation = 0;
  #skippedTotal = 0;
  readonly #order = new PacketOrder();
  /** Samples in the last packet decoded: the assumed length of a lost one. */
  #packetSamples = 0;
  #recovered = 0;
  #lossConcealedSamples = 0;

  constructor(
    sink: AudioSink,
    decoderFactory: ReplyDecoderFactory,
    onSkipped: (reason: string, total: number) => void,
  ) {
    this.#sink = sink;
    this.#decoder = decoderFactory(sink.sampleRate);
    this.#onSkipped = onSkipped;
  }

  get isPlaying(): boolean {
    return this.#playing;
  }

  /** `tts start`. */
  begin(): void {
    if (this.#open) this.#sink.flush();
    this.#decoder.reset();
    this.#order.restart();
    this.#packetSamples = 0;
    this.#recovered = 0;
    this.#lossConcealedSamples = 0;
    this.#sink.beginReply();
    this.#open = true;
    this.#playing = true;
    this.#generation += 1;
  }

  /**
   * One packet from the transport, with its sequence number when the transport numbers them.
   * Returns whether it was played.
   */
  push(opus: Uint8Array, arrivedAt: number, sequence?: number): boolean {
    if (!this.#open) return false;
    if (sequence !== undefined) {
      const verdict = this.#order.accept(sequence);
      if (verdict.kind !== 'play') {
        this.#reportLoss();
        return false;
      }
      if (verdict.missing > 0) {
        this.#fillLoss(opus, verdict.missing, arrivedAt);
        this.#reportLoss();
      }
    }
    const result = this.#decoder.decode(opus);
    if (!result.ok) {
      this.#skippedTotal += 1;
      this.#onSkipped(result.error, this.#skippedTotal);
      return false;
    }
    this.#packetSamples = result.pcm.length;
    this.#sink.write(result.pcm, arrivedAt);
    return true;
  }

  /** The reply's packet loss so far. */
  get packetLoss(): PacketLossStats {
    const order = this.#order.stats;
    return {
      lostPackets: order.lost,
      latePackets: order.late,
      duplicatePackets: order.duplicates,
      recoveredPackets: this.#recovered,
      lossConcealedMs: Math.round(samplesToMs(this.#lossConcealedSamples, this.#sink.sampleRate)),
    };
  }

  /**
   * Fills `missing` lost packets before `next`, each as long as `next` (or, when `next` is not
   * valid Opus, as the last packet): the last one from `next`'s FEC when it carries some.
   */
  #fillLoss(next: Uint8Array, missing: number, arrivedAt: number): void {
    const each = this.#decoder.packetSamples(next) ?? this.#packetSamples;
    if (each === 0) return;
    const recoverable = this.#decoder.hasFec(next);
    const concealed = recoverable ? missing - 1 : missing;
    if (concealed > 0) {
      this.#sink.write(this.#decoder.conceal(concealed * each), arrivedAt);
      this.#lossConcealedSamples += concealed * each;
    }
    if (!recoverable) return;
    const rebuilt = this.#decoder.recover(next, each);
    if (rebuilt.ok) {
      this.#sink.write(rebuilt.pcm, arrivedAt);
      this.#recovered += 1;
    } else {
      this.#sink.write(this.#decoder.conceal(each), arrivedAt);
      this.#lossConcealedSamples += each;
    }
  }

  #reportLoss(): void {
    this.#sink.notePacketLoss?.(this.packetLoss);
  }

  /**
   * `tts stop`: resolves `true` once everything written has been played, or `false` when the
   * reply was flushed (barge-in) before it drained.
   */
  async end(): Promise<boolean> {
    if (!this.#open) return false;
    this.#open = false;
    const generation = this.#generation;
    await this.#sink.endReply();
    const drained = generation === this.#generation;
    if (drained) this.#playing = false;
    return drained;
  }

  /** Barge-in or a lost connection: stop at once. */
  flush(): void {
    this.#open = false;
    this.#playing = false;
    this.#generation += 1;
    this.#sink.flush();
  }

  close(): Promise<void> {
    this.#open = false;
    this.#playing = false;
    return this.#sink.close();
  }
}
