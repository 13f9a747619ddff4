/**
 * From captured pixels to the JPEG the vision endpoint gets: scaled down (a box filter, each
 * source pixel counted once) so the longest side fits, then encoded at the highest quality
 * whose file fits the upload limit. Pure TypeScript (jpeg-encoder.ts; jpeg-js decodes camera
 * photos), so every front end sends the same picture and the tests can check it.
 */
import jpeg from 'jpeg-js';
import { encodeJpeg } from './jpeg-encoder.ts';

/**
 * Captured pixels as a front end has them: `bytesPerPixel` bytes a pixel, `stride` bytes a row,
 * the colour channels at the given byte offsets (X11 and Chromium hand out BGRA).
 */
export interface ScreenFrame {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly stride: number;
  readonly bytesPerPixel: number;
  readonly offsets: { readonly red: number; readonly green: number; readonly blue: number };
}

/** RGBA pixels, as jpeg-js reads them. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** The longest side of the picture sent (the firmware's camera sends at most 1280 px too). */
export const PICTURE_MAX_SIDE = 1280;
/** The largest JPEG sent: well inside XS's 5 MB and quick to upload. */
export const PICTURE_MAX_BYTES = 500 * 1024;
/** Qualities tried in turn until the file fits; 80 stays legible for text on screen. */
const QUALITIES = [80, 65, 50, 35] as const;
/** The consent prompt's thumbnail: small enough for an IPC message and a data: URL. */
export const THUMBNAIL_MAX_SIDE = 320;
const THUMBNAIL_QUALITY = 60;
/** A 4K camera frame is 8.3 MP; anything past that is not a frame Lumi asked for. */
const DECODE_MAX_MEGAPIXELS = 9;
const DECODE_MAX_MEGABYTES = 128;

/** The size that fits `maxSide` with the same aspect (never scaled up). */
export function fittedSize(
  width: number,
  height: number,
  maxSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}

/** A frame's layout without its pixels: what a scaler needs before the pixels arrive. */
export type FrameLayout = Omit<ScreenFrame, 'data'>;

/**
 * Scales a frame down to fit `maxSide` as its rows arrive (a capture tool's output read as a
 * stream): each target pixel is the mean of the source box it covers, and each target row is
 * made as soon as the source rows under it are in.
 */
export class Downscaler {
  readonly image: RgbaImage;
  readonly #layout: FrameLayout;
  readonly #columnStart: Int32Array;
  #nextRow = 0;

  constructor(layout: FrameLayout, maxSide: number) {
    this.#layout = layout;
    const { width, height } = fittedSize(layout.width, layout.height, maxSide);
    this.image = { width, height, data: new Uint8Array(width * height * 4) };
    this.#columnStart = new Int32Array(width + 1);
    for (let x = 0; x <= width; x += 1) {
      this.#columnStart[x] = Math.floor((x * layout.width) / width);
    }
  }

  /** Whether every target row is made. */
  get done(): boolean {
    return this.#nextRow === this.image.height;
  }

  /** Make the target rows whose source rows are among the first `rows` rows of `data`. */
  advance(data: Uint8Array, rows: number): void {
    const sourceHeight = this.#layout.height;
    const height = this.image.height;
    while (this.#nextRow < height) {
      const y = this.#nextRow;
      const top = Math.floor((y * sourceHeight) / height);
      const bottom = Math.max(top + 1, Math.floor(((y + 1) * sourceHeight) / height));
      if (bottom > rows) return;
      this.#row(data, y, top, bottom);
      this.#nextRow += 1;
    }
  }

  #row(data: Uint8Array, y: number, top: number, bottom: number): void {
    const { stride, bytesPerPixel: bpp } = this.#layout;
    const { red, green, blue } = this.#layout.offsets;
    const { width, data: out } = this.image;
    const columnStart = this.#columnStart;
    for (let x = 0; x < width; x += 1) {
      const left = columnStart[x] ?? 0;
      const right = Math.max(left + 1, columnStart[x + 1] ?? 0);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = top; sy < bottom; sy += 1) {
        let at = sy * stride + left * bpp;
        for (let sx = left; sx < right; sx += 1, at += bpp) {
          r += data[at + red] ?? 0;
          g += data[at + green] ?? 0;
          b += data[at + blue] ?? 0;
        }
      }
      const count = (bottom - top) * (right - left);
      const o = (y * width + x) * 4;
      out[o] = r / count;
      out[o + 1] = g / count;
      out[o + 2] = b / count;
      out[o + 3] = 255;
    }
  }
}

/** Whether a frame is already packed RGBA that fits `maxSide` (nothing to scale or copy). */
function isFittingRgba(frame: ScreenFrame, maxSide: number): boolean {
  const { offsets } = frame;
  return (
    Math.max(frame.width, frame.height) <= maxSide &&
    frame.bytesPerPixel === 4 &&
    frame.stride === frame.width * 4 &&
    offsets.red === 0 &&
    offsets.green === 1 &&
    offsets.blue === 2 &&
    frame.data.byteLength === frame.stride * frame.height
  );
}

/** Scale down to fit `maxSide`: every target pixel is the mean of the source box it covers. */
export function downscale(frame: ScreenFrame, maxSide: number): RgbaImage {
  if (isFittingRgba(frame, maxSide)) {
    return { width: frame.width, height: frame.height, data: frame.data };
  }
  const scaler = new Downscaler(frame, maxSide);
  scaler.advance(frame.data, frame.height);
  return scaler.image;
}

/** Encode at the highest quality that fits `maxBytes`; null when even the lowest does not. */
export function encodeToFit(
  image: RgbaImage,
  maxBytes = PICTURE_MAX_BYTES,
): { jpeg: Uint8Array; quality: number } | null {
  for (const quality of QUALITIES) {
    const encoded = encodeJpeg(image, quality);
    if (encoded.byteLength <= maxBytes) return { jpeg: encoded, quality };
  }
  return null;
}

/** RGBA pixels as a frame `downscale` reads. */
export function rgbaFrame(image: RgbaImage): ScreenFrame {
  return {
    ...image,
    stride: image.width * 4,
    bytesPerPixel: 4,
    offsets: { red: 0, green: 1, blue: 2 },
  };
}

/**
 * A JPEG's pixels (a camera photo, for its thumbnail); an Error for anything else or for a
 * picture larger than any camera frame Lumi asks for.
 */
export function decodeJpeg(data: Uint8Array): RgbaImage {
  const decoded = jpeg.decode(data, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: DECODE_MAX_MEGAPIXELS,
    maxMemoryUsageInMB: DECODE_MAX_MEGABYTES,
  });
  return { width: decoded.width, height: decoded.height, data: decoded.data };
}

/** A small JPEG of the picture as a data: URL, for the consent prompt and the conversation. */
export function thumbnailDataUrl(image: RgbaImage): string {
  const small = downscale(rgbaFrame(image), THUMBNAIL_MAX_SIDE);
  const encoded = encodeJpeg(small, THUMBNAIL_QUALITY);
  return `data:image/jpeg;base64,${Buffer.from(encoded).toString('base64')}`;
}
