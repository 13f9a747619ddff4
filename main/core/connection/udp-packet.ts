/**
 * One UDP audio datagram of the MQTT transport (docs/protocol.md §1.4; FW
 * `main/protocols/mqtt_protocol.cc`, observed against xinnan-tech/xiaozhi-mqtt-gateway):
 *
 *   type 0x01 | flags | payload length (2, BE) | connection id (4) | timestamp (4, BE) | sequence (4, BE)
 *
 * followed by the Opus packet encrypted with AES-128-CTR. The 16-byte header is itself the CTR
 * counter block: the sender copies the server's nonce, keeps its bytes 4–7 (the connection id)
 * and writes length, timestamp and sequence over the rest, so every packet has its own IV.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const UDP_HEADER_BYTES = 16;
export const UDP_AUDIO_TYPE = 0x01;
/** AES-128: a 16-byte key and a 16-byte nonce, each sent as 32 hex digits in the server hello. */
const KEY_BYTES = 16;
/** The payload length is 16 bits wide. */
const MAX_PAYLOAD_BYTES = 0xffff;

/** The key material of one session, from the server hello's `udp` object. */
export interface UdpKeys {
  readonly key: Buffer;
  readonly nonce: Buffer;
}

/** Decode `key` and `nonce` (32 hex digits each); null when either is not that. */
export function parseUdpKeys(key: string, nonce: string): UdpKeys | null {
  const hex = /^[0-9a-f]{32}$/i;
  if (!hex.test(key) || !hex.test(nonce)) return null;
  const keys = { key: Buffer.from(key, 'hex'), nonce: Buffer.from(nonce, 'hex') };
  return keys.key.length === KEY_BYTES ? keys : null;
}

/** Build the encrypted datagram for one Opus packet. */
export function sealDatagram(
  keys: UdpKeys,
  opus: Uint8Array,
  timestamp: number,
  sequence: number,
): Buffer {
  if (opus.length > MAX_PAYLOAD_BYTES) throw new RangeError('Opus packet too large for UDP');
  const header = Buffer.from(keys.nonce);
  header[0] = UDP_AUDIO_TYPE;
  header[1] = 0;
  header.writeUInt16BE(opus.length, 2);
  header.writeUInt32BE(timestamp >>> 0, 8);
  header.writeUInt32BE(sequence >>> 0, 12);
  const cipher = createCipheriv('aes-128-ctr', keys.key, header);
  return Buffer.concat([header, cipher.update(opus), cipher.final()]);
}

/** Why a datagram was dropped, for the drop counters. */
export type DatagramFault = 'short' | 'type' | 'length' | 'connection';

export type OpenedDatagram =
  | {
      readonly ok: true;
      readonly opus: Buffer;
      readonly sequence: number;
      readonly timestamp: number;
    }
  | { readonly ok: false; readonly fault: DatagramFault };

/**
 * Check and decrypt one datagram. A wrong key cannot be told from garbage here (CTR has no
 * tag): its packets decrypt to noise and the Opus decoder refuses them.
 */
export function openDatagram(keys: UdpKeys, datagram: Buffer): OpenedDatagram {
  if (datagram.length < UDP_HEADER_BYTES) return { ok: false, fault: 'short' };
  if (datagram[0] !== UDP_AUDIO_TYPE) return { ok: false, fault: 'type' };
  const length = datagram.readUInt16BE(2);
  if (length !== datagram.length - UDP_HEADER_BYTES) return { ok: false, fault: 'length' };
  if (!datagram.subarray(4, 8).equals(keys.nonce.subarray(4, 8))) {
    return { ok: false, fault: 'connection' };
  }
  const header = datagram.subarray(0, UDP_HEADER_BYTES);
  const decipher = createDecipheriv('aes-128-ctr', keys.key, header);
  const opus = Buffer.concat([
    decipher.update(datagram.subarray(UDP_HEADER_BYTES)),
    decipher.final(),
  ]);
  return {
    ok: true,
    opus,
    timestamp: datagram.readUInt32BE(8),
    sequence: datagram.readUInt32BE(12),
  };
}
