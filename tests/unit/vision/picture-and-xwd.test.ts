import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  downscale,
  encodeToFit,
  fittedSize,
  type ScreenFrame,
} from '../../../main/core/vision/picture.ts';
import { parseXwd } from '../../../main/core/vision/xwd.ts';

/** A BGRA frame whose left half is red and right half blue. */
function halves(width: number, height: number): ScreenFrame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      data.set(x < width / 2 ? [0, 0, 255, 0] : [255, 0, 0, 0], (y * width + x) * 4);
    }
  }
  return {
    width,
    height,
    data,
    stride: width * 4,
    bytesPerPixel: 4,
    offsets: { red: 2, green: 1, blue: 0 },
  };
}

/** An XWD header (25 big-endian words), no window name, no colours, then `pixels`. */
function xwd(fields: Partial<Record<number, number>>, pixels: Uint8Array): Uint8Array {
  const words = [100, 7, 2, 24, 2, 1, 0, 0, 32, 0, 32, 32, 8, 4, 0xff0000, 0xff00, 0xff, 8];
  words.push(256, 0, 2, 1, 0, 0, 0);
  for (const [index, value] of Object.entries(fields)) words[Number(index)] = value ?? 0;
  const out = new Uint8Array(100 + pixels.length);
  const view = new DataView(out.buffer);
  words.forEach((word, i) => view.setUint32(i * 4, word, false));
  out.set(pixels, 100);
  return out;
}

describe('picture', () => {
  it('fits the longest side, keeping the aspect and never scaling up', () => {
    expect(fittedSize(1920, 1080, 1280)).toEqual({ width: 1280, height: 720 });
    expect(fittedSize(1080, 1920, 1280)).toEqual({ width: 720, height: 1280 });
    expect(fittedSize(800, 600, 1280)).toEqual({ width: 800, height: 600 });
  });

  it('scales down by averaging boxes, reading the frame in its own byte order', () => {
    const small = downscale(halves(8, 4), 2);
    expect([small.width, small.height]).toEqual([2, 1]);
    expect([...small.data]).toEqual([255, 0, 0, 255, 0, 0, 255, 255]);
  });

  it('encodes at the highest quality that fits, and gives up when nothing does', () => {
    const noisy = downscale(
      { ...halves(64, 64), data: new Uint8Array(64 * 64 * 4).map((_, i) => (i * 7919) % 251) },
      64,
    );
    const best = encodeToFit(noisy, 1_000_000);
    expect(best?.quality).toBe(80);
    const size = best?.jpeg.byteLength ?? 0;
    const smaller = encodeToFit(noisy, size - 1);
    expect(smaller?.quality).toBeLessThan(80);
    expect(smaller?.jpeg.byteLength).toBeLessThan(size);
    expect(encodeToFit(noisy, 100)).toBeNull();
    const decoded = jpeg.decode(best?.jpeg ?? new Uint8Array(), { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([64, 64]);
  });
});

describe('parseXwd', () => {
  it('reads a 32-bit TrueColor dump, least significant byte first, as BGRX', () => {
    const frame = parseXwd(xwd({}, new Uint8Array([0x99, 0x66, 0x33, 0, 1, 2, 3, 0])));
    expect(frame).toMatchObject({ width: 2, height: 1, stride: 8, bytesPerPixel: 4 });
    expect(frame.offsets).toEqual({ red: 2, green: 1, blue: 0 });
    expect([...frame.data]).toEqual([0x99, 0x66, 0x33, 0, 1, 2, 3, 0]);
  });

  it('reads the byte order the dump names', () => {
    const frame = parseXwd(xwd({ 7: 1 }, new Uint8Array(8)));
    expect(frame.offsets).toEqual({ red: 1, green: 2, blue: 3 });
  });

  it('refuses what it cannot read instead of guessing', () => {
    expect(() => parseXwd(new Uint8Array(10))).toThrow('Not an X window dump');
    expect(() => parseXwd(xwd({ 11: 16 }, new Uint8Array(8)))).toThrow('16 bits a pixel');
    expect(() => parseXwd(xwd({ 14: 0xf800 }, new Uint8Array(8)))).toThrow('colour layout');
    expect(() => parseXwd(xwd({}, new Uint8Array(4)))).toThrow('truncated');
  });
});
