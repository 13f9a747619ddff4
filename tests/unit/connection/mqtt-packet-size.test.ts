import { describe, expect, it } from 'vitest';
import { MqttPacketSizeGuard } from '../../../main/core/connection/mqtt-packet-size.ts';

const LIMIT = 1000;

/** The remaining length as MQTT writes it: 7 bits a byte, least significant first. */
function remainingLength(length: number): number[] {
  const bytes: number[] = [];
  let rest = length;
  do {
    const digit = rest % 128;
    rest = Math.floor(rest / 128);
    bytes.push(rest > 0 ? digit | 0x80 : digit);
  } while (rest > 0);
  return bytes;
}

/** A QoS 0 PUBLISH to topic `t`: its remaining length is the payload plus 3. */
function publish(payloadBytes: number): Buffer {
  const body = Buffer.concat([Buffer.of(0, 1, 0x74), Buffer.alloc(payloadBytes, 0x7b)]);
  return Buffer.concat([Buffer.of(0x30, ...remainingLength(body.length)), body]);
}

const PINGRESP = Buffer.of(0xd0, 0);

/** Feed `stream` in chunks of `size`; the first verdict that is not null, else null. */
function feedInChunks(guard: MqttPacketSizeGuard, stream: Buffer, size: number): number | null {
  for (let at = 0; at < stream.length; at += size) {
    const verdict = guard.feed(stream.subarray(at, at + size));
    if (verdict !== null) return verdict;
  }
  return null;
}

describe('MqttPacketSizeGuard', () => {
  it('lets packets up to the limit through, however the stream is chunked', () => {
    const stream = Buffer.concat([
      publish(10),
      PINGRESP,
      publish(LIMIT - 3),
      publish(300),
      PINGRESP,
    ]);
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      expect(feedInChunks(new MqttPacketSizeGuard(LIMIT), stream, size)).toBeNull();
    }
  });

  it('names the announced length of a larger packet as soon as its header went by', () => {
    const big = publish(LIMIT);
    const stream = Buffer.concat([publish(20), big.subarray(0, 5)]);
    for (const size of [1, 4, stream.length]) {
      expect(feedInChunks(new MqttPacketSizeGuard(LIMIT), stream, size)).toBe(LIMIT + 3);
    }
  });

  it('catches the 256 MB a four-byte remaining length announces, and a fifth length byte', () => {
    const guard = new MqttPacketSizeGuard(LIMIT);
    expect(guard.feed(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f))).toBe(268_435_455);
    const malformed = new MqttPacketSizeGuard(LIMIT);
    expect(malformed.feed(Uint8Array.of(0x30, 0x80, 0x80, 0x80, 0x80))).toBe(Infinity);
  });
});
