import { describe, expect, it } from 'vitest';
import { buildAudioFrame, parseAudioFrame } from '../../../main/core/protocol/binary.ts';

const opus = new Uint8Array([0xf8, 0xff, 0xfe, 1, 2, 3]);

describe('binary audio frames', () => {
  it('version 1 is the raw packet', () => {
    expect(buildAudioFrame(1, opus)).toBe(opus);
    expect(parseAudioFrame(1, opus)).toEqual({ ok: true, payload: opus, timestamp: 0 });
  });

  it('version 2 has a 16-byte big-endian header with a timestamp', () => {
    const frame = buildAudioFrame(2, opus, 0x01020304);
    expect(frame.length).toBe(16 + opus.length);
    expect([...frame.subarray(0, 16)]).toEqual([0, 2, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 6]);
    expect(parseAudioFrame(2, frame)).toEqual({ ok: true, payload: opus, timestamp: 0x01020304 });
  });

  it('version 3 has a 4-byte header', () => {
    const frame = buildAudioFrame(3, opus);
    expect([...frame.subarray(0, 4)]).toEqual([0, 0, 0, 6]);
    const parsed = parseAudioFrame(3, frame);
    expect(parsed.ok && [...parsed.payload]).toEqual([...opus]);
  });

  it('reports truncated or lying headers instead of throwing', () => {
    expect(parseAudioFrame(2, new Uint8Array(10)).ok).toBe(false);
    expect(parseAudioFrame(3, new Uint8Array(2)).ok).toBe(false);
    const lying = buildAudioFrame(3, opus).slice(0, 7);
    expect(parseAudioFrame(3, lying).ok).toBe(false);
    const lying2 = buildAudioFrame(2, opus).slice(0, 18);
    expect(parseAudioFrame(2, lying2).ok).toBe(false);
  });
});
