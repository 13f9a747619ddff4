/**
 * The X Window Dump format that `xwd -root` writes (X11 `XWDFile.h`): a header of big-endian
 * 32-bit fields, the window name, `ncolors` 12-byte colour entries, then the pixels. Only
 * TrueColor ZPixmaps of 24 or 32 bits a pixel with 8-bit channels are read — what every X
 * server of this century hands out; anything else is reported, never guessed.
 */
import type { FrameLayout, ScreenFrame } from './picture.ts';

const HEADER_FIELDS = 25;
const Z_PIXMAP = 2;
const COLOR_ENTRY_BYTES = 12;
const LSB_FIRST = 0;

/** Field indexes of XWDFileHeader. */
const F = {
  headerSize: 0,
  pixmapFormat: 2,
  width: 4,
  height: 5,
  byteOrder: 7,
  bitsPerPixel: 11,
  bytesPerLine: 12,
  redMask: 14,
  greenMask: 15,
  blueMask: 16,
  ncolors: 19,
} as const;

/** The byte offset within a pixel of the channel `mask` selects, or null if it is not a byte. */
function channelOffset(mask: number, bytesPerPixel: number, lsbFirst: boolean): number | null {
  const shifts = [0, 8, 16, 24];
  const index = shifts.findIndex((shift) => mask >>> 0 === (0xff << shift) >>> 0);
  if (index < 0 || index >= bytesPerPixel) return null;
  return lsbFirst ? index : bytesPerPixel - 1 - index;
}

/** Where a dump's pixels are and how they are laid out, read from its header. */
export interface XwdHeader {
  readonly layout: FrameLayout;
  /** The byte offset of the first pixel. */
  readonly start: number;
  /** The dump's whole length: the header, the colours and every row. */
  readonly length: number;
}

/**
 * Read a dump's header from its first bytes; null while too few have arrived to say. An Error
 * names what is not supported.
 */
export function readXwdHeader(head: Uint8Array): XwdHeader | null {
  if (head.byteLength < HEADER_FIELDS * 4) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const field = (index: number): number => view.getUint32(index * 4, false);
  if (field(F.pixmapFormat) !== Z_PIXMAP) throw new Error('Unsupported X window dump format');
  const bitsPerPixel = field(F.bitsPerPixel);
  if (bitsPerPixel !== 24 && bitsPerPixel !== 32) {
    throw new Error(`Unsupported screen depth: ${bitsPerPixel} bits a pixel`);
  }
  const bytesPerPixel = bitsPerPixel / 8;
  const lsbFirst = field(F.byteOrder) === LSB_FIRST;
  const red = channelOffset(field(F.redMask), bytesPerPixel, lsbFirst);
  const green = channelOffset(field(F.greenMask), bytesPerPixel, lsbFirst);
  const blue = channelOffset(field(F.blueMask), bytesPerPixel, lsbFirst);
  if (red === null || green === null || blue === null) {
    throw new Error('Unsupported screen colour layout (not 8 bits a channel)');
  }
  const width = field(F.width);
  const height = field(F.height);
  const stride = field(F.bytesPerLine);
  if (width === 0 || height === 0 || stride < width * bytesPerPixel) {
    throw new Error('The X window dump has no picture');
  }
  const start = field(F.headerSize) + field(F.ncolors) * COLOR_ENTRY_BYTES;
  return {
    layout: { width, height, stride, bytesPerPixel, offsets: { red, green, blue } },
    start,
    length: start + stride * height,
  };
}

/** Parse a whole XWD dump; an Error names what is not supported. */
export function parseXwd(dump: Uint8Array): ScreenFrame {
  const header = readXwdHeader(dump);
  if (header === null) throw new Error('Not an X window dump');
  if (header.length > dump.byteLength) throw new Error('The X window dump is truncated');
  return { ...header.layout, data: dump.subarray(header.start, header.length) };
}
