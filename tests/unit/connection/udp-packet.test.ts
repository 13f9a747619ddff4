import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  openDatagram,
  parseUdpKeys,
  sealDatagram,
} from '../../../main/core/connection/udp-packet.ts';

const KEY = '000102030405060708090a0b0c0d0e0f';
const NONCE = '0100000012345678000000000000abcd';
const keys = parseUdpKeys(KEY, NONCE)!;
const opus = Buffer.from('fcfffe0102030405060708', 'hex');

/** The same datagram built by hand from the byte layout, with node:crypto directly. */
function expectedDatagram(timestamp: number, sequence: number): Buffer {
  const header = Buffer.from([
    0x01,
    0x00,
    0x00,
    opus.length,
    0x12,
    0x34,
    0x56,
    0x78,
    (timestamp >>> 24) & 0xff,
    (timestamp >>> 16) & 0xff,
    (timestamp >>> 8) & 0xff,
    timestamp & 0xff,
    (sequence >>> 24) & 0xff,
    (sequence >>> 16) & 0xff,
    (sequence >>> 8) & 0xff,
    sequence & 0xff,
  ]);
  const cipher = createCipheriv('aes-128-ctr', Buffer.from(KEY, 'hex'), header);
  return Buffer.concat([header, cipher.update(opus), cipher.final()]);
}

describe('UDP audio datagrams', () => {
  it('seals the header as the IV and AES-128-CTR over the Opus packet', () => {
    const sealed = sealDatagram(keys, opus, 0x01020304, 7);
    expect(sealed.toString('hex')).toBe(expectedDatagram(0x01020304, 7).toString('hex'));
    // The ciphertext is not the plaintext: the key was applied.
    expect(sealed.subarray(16).equals(opus)).toBe(false);
  });

  it('opens a datagram to its Opus packet, sequence and timestamp', () => {
    const opened = openDatagram(keys, expectedDatagram(99, 42));
    expect(opened).toEqual({ ok: true, opus, sequence: 42, timestamp: 99 });
  });

  it('drops what is short, of another type, of a wrong length or another connection', () => {
    const good = expectedDatagram(0, 1);
    expect(openDatagram(keys, good.subarray(0, 10))).toEqual({ ok: false, fault: 'short' });
    const type = Buffer.from(good);
    type[0] = 0x02;
    expect(openDatagram(keys, type)).toEqual({ ok: false, fault: 'type' });
    expect(openDatagram(keys, good.subarray(0, good.length - 1))).toEqual({
      ok: false,
      fault: 'length',
    });
    const other = Buffer.from(good);
    other[5] = 0;
    expect(openDatagram(keys, other)).toEqual({ ok: false, fault: 'connection' });
  });

  it('refuses a key or nonce that is not 32 hex digits', () => {
    expect(parseUdpKeys('abc', NONCE)).toBeNull();
    expect(parseUdpKeys(KEY, `${NONCE}00`)).toBeNull();
    expect(parseUdpKeys(KEY, 'zz'.repeat(16))).toBeNull();
  });
});
