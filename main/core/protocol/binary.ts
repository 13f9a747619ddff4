/**
 * Binary audio frames (docs/protocol.md §5.2). Version 1 is the raw Opus packet; versions
 * 2 and 3 add big-endian headers. xiaozhi-esp32-server only speaks version 1 on WebSocket.
 */
import type { ProtocolVersion } from './client-messages.ts';

export const V2_HEADER_BYTES = 16;
export const V3_HEADER_BYTES = 4;
const TYPE_OPUS = 0;

export type ParsedAudioFrame =
  | { readonly ok: true; readonly payload: Uint8Array; readonly timestamp: number }
  | { readonly ok: false; readonly error: string };

/** Wrap an Opus packet for the wire. `timestamp` (ms) is carried by version 2 only. */
export function buildAudioFrame(
  version: ProtocolVersion,
  opus: Uint8Array,
  timestamp = 0,
): Uint8Array {
  if (version === 1) return opus;
  if (version === 2) {
    const frame = new Uint8Array(V2_HEADER_BYTES + opus.length);
    const view = new DataView(frame.buffer);
    view.setUint16(0, 2);
    view.setUint16(2, TYPE_OPUS);
    view.setUint32(4, 0);
    view.setUint32(8, timestamp >>> 0);
    view.setUint32(12, opus.length);
    frame.set(opus, V2_HEADER_BYTES);
    return frame;
  }
  if (opus.length > 0xffff) throw new RangeError('Opus packet too large for a v3 frame');
  const frame = new Uint8Array(V3_HEADER_BYTES + opus.length);
  const view = new DataView(frame.buffer);
  view.setUint8(0, TYPE_OPUS);
  view.setUint8(1, 0);
  view.setUint16(2, opus.length);
  frame.set(opus, V3_HEADER_BYTES);
  return frame;
}

/** Unwrap a binary frame from the server. Never throws. */
export function parseAudioFrame(version: ProtocolVersion, frame: Uint8Array): ParsedAudioFrame {
  if (version === 1) return { ok: true, payload: frame, timestamp: 0 };
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  if (version === 2) {
    if (frame.length < V2_HEADER_BYTES)
      return { ok: false, error: 'v2 frame shorter than its header' };
    const size = view.getUint32(12);
    if (size > frame.length - V2_HEADER_BYTES)
      return { ok: false, error: 'v2 payload size exceeds frame' };
    return {
      ok: true,
      payload: frame.subarray(V2_HEADER_BYTES, V2_HEADER_BYTES + size),
      timestamp: view.getUint32(8),
    };
  }
  if (frame.length < V3_HEADER_BYTES)
    return { ok: false, error: 'v3 frame shorter than its header' };
  const size = view.getUint16(2);
  if (size > frame.length - V3_HEADER_BYTES)
    return { ok: false, error: 'v3 payload size exceeds frame' };
  return {
    ok: true,
    payload: frame.subarray(V3_HEADER_BYTES, V3_HEADER_BYTES + size),
    timestamp: 0,
  };
}
