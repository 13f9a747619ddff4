/**
 * Which reply packets to play, by the transport's sequence number (MQTT+UDP numbers its
 * datagrams from 1 and restarts at every server hello; docs/protocol.md §7). Facts in, verdict
 * out: it decodes nothing and reads no clock.
 *
 * A packet newer than the last one played is played at once; the ones it skipped are reported
 * as missing, so the decoder fills exactly their duration (from the newer packet's in-band FEC,
 * or by concealment) before decoding it. A packet at or behind the last one played is dropped:
 * a duplicate if it was played, late if it had been given up as lost.
 *
 * Trade-off: nothing is held back to wait for a packet that might only be reordered. Holding
 * one packet at every gap would save an overtaken packet, but would take up to one packet (60
 * ms) of the jitter buffer's margin at each gap and need a timer for the last packet of a
 * reply; playing at once costs nothing in order, and an overtaken packet's audio has already
 * been rebuilt from its successor's FEC when the server encodes with FEC (its TTS does).
 */

/** What to do with one packet. `missing`: how many packets were lost just before it. */
export type PacketVerdict =
  | { readonly kind: 'play'; readonly missing: number }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'late' };

export interface PacketOrderStats {
  readonly lost: number;
  readonly late: number;
  readonly duplicates: number;
}

/**
 * A jump this far ahead is a sender that restarted its numbering (or garbage), not loss: it
 * becomes the new base rather than seconds of concealment (50 packets = 3 s of 60 ms packets).
 * So does a jump this far back: the 32-bit sequence wrapped, or the sender restarted lower;
 * anything else would drop every packet after it as stale until the next reply.
 */
export const MAX_GAP_PACKETS = 50;
/** Lost sequence numbers remembered to tell a late packet from a duplicate. */
const REMEMBERED_LOSSES = 256;

export class PacketOrder {
  #last: number | null = null;
  /** Recently skipped sequence numbers, oldest first. */
  #skipped: number[] = [];
  #lost = 0;
  #late = 0;
  #duplicates = 0;

  get stats(): PacketOrderStats {
    return { lost: this.#lost, late: this.#late, duplicates: this.#duplicates };
  }

  /** A new reply (`tts start`) or a new hello: the next packet sets the base; counts restart. */
  restart(): void {
    this.#last = null;
    this.#skipped = [];
    this.#lost = 0;
    this.#late = 0;
    this.#duplicates = 0;
  }

  accept(sequence: number): PacketVerdict {
    const last = this.#last;
    if (last === null || Math.abs(sequence - last) > MAX_GAP_PACKETS) {
      this.#last = sequence;
      return { kind: 'play', missing: 0 };
    }
    if (sequence <= last) {
      const skipped = this.#skipped.indexOf(sequence);
      if (skipped === -1) {
        this.#duplicates++;
        return { kind: 'duplicate' };
      }
      // A late packet is forgotten once dropped: another copy of it counts as a duplicate.
      this.#skipped.splice(skipped, 1);
      this.#late++;
      return { kind: 'late' };
    }
    const missing = sequence - last - 1;
    for (let lost = last + 1; lost < sequence; lost++) this.#skipped.push(lost);
    if (this.#skipped.length > REMEMBERED_LOSSES) {
      this.#skipped.splice(0, this.#skipped.length - REMEMBERED_LOSSES);
    }
    this.#lost += missing;
    this.#last = sequence;
    return { kind: 'play', missing };
  }
}
