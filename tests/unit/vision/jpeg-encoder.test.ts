/**
 * Lumi's JPEG encoder, checked by an independent decoder (jpeg-js): any size (edges that are
 * not a multiple of the 16-pixel MCU), the picture it decodes to is the one encoded within
 * JPEG's loss, and quality trades size as libjpeg's scale says.
 */
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../../main/core/vision/jpeg-encoder.ts';
import type { RgbaImage } from '../../../main/core/vision/picture.ts';

/** Gradients plus a hard-edged checker, so every coefficient and the 0xFF stuffing get used. */
function busy(width: number, height: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const checker = ((x >> 3) + (y >> 3)) % 2 === 0 ? 255 : 0;
      data.set([(x * 255) / width, (y * 255) / height, checker, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

function meanError(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c += 1) sum += Math.abs((a[i + c] ?? 0) - (b[i + c] ?? 0));
    count += 3;
  }
  return sum / count;
}

describe('encodeJpeg', () => {
  it('encodes any size into a JPEG that decodes to the same picture', () => {
    for (const [width, height] of [
      [1, 1],
      [17, 9],
      [64, 48],
      [333, 101],
    ] as const) {
      const image = busy(width, height);
      const decoded = jpeg.decode(encodeJpeg(image, 90), { useTArray: true });
      expect([decoded.width, decoded.height]).toEqual([width, height]);
      // Chroma at half resolution blurs the checker's colour edges a little; nothing more.
      expect(meanError(decoded.data, image.data)).toBeLessThan(width * height > 1 ? 8 : 2);
    }
  });

  it('keeps a flat colour exact and trades size for quality', () => {
    const flat: RgbaImage = { width: 48, height: 32, data: new Uint8Array(48 * 32 * 4) };
    for (let i = 0; i < flat.data.length; i += 4) flat.data.set([0x33, 0x66, 0x99, 255], i);
    const decoded = jpeg.decode(encodeJpeg(flat, 80), { useTArray: true });
    expect(meanError(decoded.data, flat.data)).toBeLessThan(1.5);

    const image = busy(200, 120);
    const sizes = [95, 80, 50, 20].map((quality) => encodeJpeg(image, quality).byteLength);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    expect(new Set(sizes).size).toBe(4);
  });

  it('writes a baseline JFIF stream: SOI, APP0, 4:2:0 SOF0, EOI', () => {
    const bytes = encodeJpeg(busy(20, 10), 75);
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    expect([...bytes.subarray(-2)]).toEqual([0xff, 0xd9]);
    const sof = bytes.indexOf(0xc0, 2);
    expect(bytes[sof - 1]).toBe(0xff);
    // Precision 8, height 10, width 20, three components: Y sampled 2×2, Cb and Cr 1×1.
    expect([...bytes.subarray(sof + 3, sof + 18)]).toEqual([
      8, 0, 10, 0, 20, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ]);
  });
});
