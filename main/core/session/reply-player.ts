/**
 * Reply audio from socket to sink: one decoder per reply (reset at `tts start`, as the firmware
 * does), frames accepted only while a reply is open (FW drops audio outside `speaking`), invalid
 * packets skipped and counted, and the drain after `tts stop` awaited — the server sends
 * `tts stop` ~420 ms after its last frame, while audio is still buffered (docs/protocol.md §5.5).
 */
import type { AudioSink } from '../audio/sink.ts';
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
    this.#sink.beginReply();
    this.#open = true;
    this.#playing = true;
    this.#generation += 1;
  }

  /** One binary frame from the socket. Returns whether it was played. */
  push(opus: Uint8Array, arrivedAt: number): boolean {
    if (!this.#open) return false;
    const result = this.#decoder.decode(opus);
    if (!result.ok) {
      this.#skippedTotal += 1;
      this.#onSkipped(result.error, this.#skippedTotal);
      return false;
    }
    this.#sink.write(result.pcm, arrivedAt);
    return true;
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
