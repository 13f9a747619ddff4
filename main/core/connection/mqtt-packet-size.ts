/**
 * MQTT.js reads a whole packet into memory before it parses it, and MQTT 3.1.1 lets a packet
 * announce up to 256 MB in its fixed header (a remaining length of four 7-bit bytes), with no
 * option to refuse more. This watches the fixed headers going by on the broker's stream, so a
 * packet announced larger than a limit can cut the link before its bytes pile up, as the
 * WebSocket's `maxPayload` does (options.ts MAX_PAYLOAD_BYTES).
 */

/** The remaining length takes at most four bytes (MQTT 3.1.1 §2.2.3). */
const MAX_LENGTH_BYTES = 4;
const CONTINUE_BIT = 0x80;
const DIGIT_BITS = 0x7f;
const DIGIT_BASE = 128;

export class MqttPacketSizeGuard {
  readonly #limit: number;
  /** Bytes of the current packet's body still to pass over. */
  #skip = 0;
  /** 0 before a packet's type byte; then 1 plus the length bytes read so far. */
  #headerBytes = 0;
  #length = 0;
  #digitValue = 1;

  /** `limit`: the largest remaining length (variable header and payload) let through. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /**
   * Read one chunk of the stream: the announced length of the first packet over the limit, else
   * null. A remaining length longer than four bytes (malformed) counts as over the limit.
   */
  feed(chunk: Uint8Array): number | null {
    let index = 0;
    while (index < chunk.length) {
      if (this.#skip > 0) {
        const passed = Math.min(this.#skip, chunk.length - index);
        this.#skip -= passed;
        index += passed;
        continue;
      }
      const byte = chunk[index++] ?? 0;
      if (this.#headerBytes === 0) {
        this.#headerBytes = 1;
        this.#length = 0;
        this.#digitValue = 1;
        continue;
      }
      this.#length += (byte & DIGIT_BITS) * this.#digitValue;
      this.#digitValue *= DIGIT_BASE;
      this.#headerBytes += 1;
      const lengthBytes = this.#headerBytes - 1;
      if (byte & CONTINUE_BIT) {
        if (lengthBytes >= MAX_LENGTH_BYTES) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.#length > this.#limit) return this.#length;
      this.#skip = this.#length;
      this.#headerBytes = 0;
    }
    return null;
  }
}
