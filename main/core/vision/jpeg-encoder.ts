/**
 * A baseline JPEG encoder for the pictures Lumi sends: YCbCr with the chroma halved both ways
 * (4:2:0, what cameras and browsers write), the IJG quality scaling of the standard's tables
 * (ITU T.81 Annex K), the AAN floating-point DCT (IJG jfdctflt.c) and the standard Huffman
 * tables. jpeg-js encodes 4:4:4 into a growing JS array, twice the blocks and a copy more:
 * ~150 ms for a 1280×720 screen on the bench machine, most of `vision.capture_to_post`. This
 * one works in typed arrays and encodes half the blocks, in about a third of the time; jpeg-js
 * still decodes (camera photos, tests).
 */
import type { RgbaImage } from './picture.ts';

/** Annex K.1 luminance quantisation table, in natural (row-major) order. */
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Annex K.2 chrominance quantisation table, in natural order. */
const CHROMA_QUANT = [
  17,
  18,
  24,
  47,
  99,
  99,
  99,
  99,
  18,
  21,
  26,
  66,
  99,
  99,
  99,
  99,
  24,
  26,
  56,
  99,
  99,
  99,
  99,
  99,
  47,
  66,
  99,
  99,
  99,
  99,
  99,
  99,
  ...new Array<number>(32).fill(99),
];
/** The natural index of each coefficient in zig-zag order. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
  13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
  45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/** Annex K.3 Huffman tables: how many codes of each length 1–16, then the symbols. */
interface HuffmanSpec {
  readonly counts: readonly number[];
  readonly symbols: readonly number[];
}
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const LUMA_DC: HuffmanSpec = {
  counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  symbols: DC_SYMBOLS,
};
const CHROMA_DC: HuffmanSpec = {
  counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  symbols: DC_SYMBOLS,
};
/** The AC symbols (run << 4 | size) that both AC tables share after their first entries. */
const AC_TAIL = [
  0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36,
  0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56,
  0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76,
  0x77, 0x78, 0x79, 0x7a,
];
const LUMA_AC: HuffmanSpec = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01,
    0x02,
    0x03,
    0x00,
    0x04,
    0x11,
    0x05,
    0x12,
    0x21,
    0x31,
    0x41,
    0x06,
    0x13,
    0x51,
    0x61,
    0x07,
    0x22,
    0x71,
    0x14,
    0x32,
    0x81,
    0x91,
    0xa1,
    0x08,
    0x23,
    0x42,
    0xb1,
    0xc1,
    0x15,
    0x52,
    0xd1,
    0xf0,
    0x24,
    0x33,
    0x62,
    0x72,
    0x82,
    ...AC_TAIL,
    0x83,
    0x84,
    0x85,
    0x86,
    0x87,
    0x88,
    0x89,
    0x8a,
    0x92,
    0x93,
    0x94,
    0x95,
    0x96,
    0x97,
    0x98,
    0x99,
    0x9a,
    0xa2,
    0xa3,
    0xa4,
    0xa5,
    0xa6,
    0xa7,
    0xa8,
    0xa9,
    0xaa,
    0xb2,
    0xb3,
    0xb4,
    0xb5,
    0xb6,
    0xb7,
    0xb8,
    0xb9,
    0xba,
    0xc2,
    0xc3,
    0xc4,
    0xc5,
    0xc6,
    0xc7,
    0xc8,
    0xc9,
    0xca,
    0xd2,
    0xd3,
    0xd4,
    0xd5,
    0xd6,
    0xd7,
    0xd8,
    0xd9,
    0xda,
    0xe1,
    0xe2,
    0xe3,
    0xe4,
    0xe5,
    0xe6,
    0xe7,
    0xe8,
    0xe9,
    0xea,
    0xf1,
    0xf2,
    0xf3,
    0xf4,
    0xf5,
    0xf6,
    0xf7,
    0xf8,
    0xf9,
    0xfa,
  ],
};
const CHROMA_AC: HuffmanSpec = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: [
    0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
    0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
    0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
    0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
    0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
    0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
    0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
    0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
    0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
  ],
};

/** A Huffman table as the coder uses it: the code and its length for each symbol. */
interface HuffmanCodes {
  readonly code: Uint16Array;
  readonly length: Uint8Array;
}

/** The canonical codes of a table (T.81 Annex C). */
function huffmanCodes(spec: HuffmanSpec): HuffmanCodes {
  const code = new Uint16Array(256);
  const length = new Uint8Array(256);
  let next = 0;
  let at = 0;
  for (let bits = 1; bits <= 16; bits += 1) {
    for (let i = 0; i < (spec.counts[bits - 1] ?? 0); i += 1) {
      const symbol = spec.symbols[at++] ?? 0;
      code[symbol] = next++;
      length[symbol] = bits;
    }
    next <<= 1;
  }
  return { code, length };
}

const CODES = {
  lumaDc: huffmanCodes(LUMA_DC),
  lumaAc: huffmanCodes(LUMA_AC),
  chromaDc: huffmanCodes(CHROMA_DC),
  chromaAc: huffmanCodes(CHROMA_AC),
};

/** The AAN DCT's output scale per row and column (IJG jfdctflt.c). */
const AAN_SCALE = [
  1.0, 1.387039845, 1.306562965, 1.175875602, 1.0, 0.785694958, 0.5411961, 0.275899379,
];

/** A base table scaled for `quality` (1–100) the IJG way, in natural order. */
function scaledQuant(base: readonly number[], quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return Uint8Array.from(base, (value) =>
    Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))),
  );
}

/** Divisors that fold the DCT's scale into quantisation, in natural order. */
function divisors(quant: Uint8Array): Float32Array {
  const out = new Float32Array(64);
  for (let i = 0; i < 64; i += 1) {
    out[i] = 1 / ((quant[i] ?? 1) * (AAN_SCALE[i >> 3] ?? 1) * (AAN_SCALE[i & 7] ?? 1) * 8);
  }
  return out;
}

/** The AAN forward DCT of an 8×8 block in place (rows, then columns). */
function forwardDct(block: Float32Array): void {
  for (let pass = 0; pass < 2; pass += 1) {
    const step = pass === 0 ? 1 : 8;
    const next = pass === 0 ? 8 : 1;
    for (let line = 0; line < 8; line += 1) {
      const o = line * next;
      const d0 = block[o] ?? 0;
      const d1 = block[o + step] ?? 0;
      const d2 = block[o + 2 * step] ?? 0;
      const d3 = block[o + 3 * step] ?? 0;
      const d4 = block[o + 4 * step] ?? 0;
      const d5 = block[o + 5 * step] ?? 0;
      const d6 = block[o + 6 * step] ?? 0;
      const d7 = block[o + 7 * step] ?? 0;
      const t0 = d0 + d7;
      const t7 = d0 - d7;
      const t1 = d1 + d6;
      const t6 = d1 - d6;
      const t2 = d2 + d5;
      const t5 = d2 - d5;
      const t3 = d3 + d4;
      const t4 = d3 - d4;
      const t10 = t0 + t3;
      const t13 = t0 - t3;
      const t11 = t1 + t2;
      const t12 = t1 - t2;
      block[o] = t10 + t11;
      block[o + 4 * step] = t10 - t11;
      const z1 = (t12 + t13) * 0.707106781;
      block[o + 2 * step] = t13 + z1;
      block[o + 6 * step] = t13 - z1;
      const s10 = t4 + t5;
      const s11 = t5 + t6;
      const s12 = t6 + t7;
      const z5 = (s10 - s12) * 0.382683433;
      const z2 = 0.5411961 * s10 + z5;
      const z4 = 1.306562965 * s12 + z5;
      const z3 = s11 * 0.707106781;
      const z11 = t7 + z3;
      const z13 = t7 - z3;
      block[o + 5 * step] = z13 + z2;
      block[o + 3 * step] = z13 - z2;
      block[o + step] = z11 + z4;
      block[o + 7 * step] = z11 - z4;
    }
  }
}

/** Entropy-coded bytes, with 0xFF stuffed as T.81 F.1.2.3 requires. */
class BitWriter {
  bytes: Uint8Array;
  length = 0;
  #acc = 0;
  #bits = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  byte(value: number): void {
    if (this.length === this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes[this.length++] = value;
  }

  raw(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i += 1) this.byte(values[i] ?? 0);
  }

  /** Append the low `count` bits of `value` (count ≤ 16). */
  bits(value: number, count: number): void {
    this.#acc = ((this.#acc << count) | (value & ((1 << count) - 1))) >>> 0;
    this.#bits += count;
    while (this.#bits >= 8) {
      this.#bits -= 8;
      const out = (this.#acc >>> this.#bits) & 0xff;
      this.byte(out);
      if (out === 0xff) this.byte(0);
    }
    this.#acc &= (1 << this.#bits) - 1;
  }

  /** Pad the last byte with ones. */
  flush(): void {
    if (this.#bits > 0) this.bits(0x7f, 8 - this.#bits);
  }
}

/** Quantise a transformed block and code it; returns its DC for the next block's difference. */
function codeBlock(
  out: BitWriter,
  block: Float32Array,
  divisor: Float32Array,
  previousDc: number,
  dc: HuffmanCodes,
  ac: HuffmanCodes,
): number {
  forwardDct(block);
  const value = (i: number): number => {
    const at = ZIGZAG[i] ?? 0;
    return Math.round((block[at] ?? 0) * (divisor[at] ?? 0));
  };
  const first = value(0);
  const diff = first - previousDc;
  const size = diff === 0 ? 0 : 32 - Math.clz32(Math.abs(diff));
  out.bits(dc.code[size] ?? 0, dc.length[size] ?? 0);
  if (size > 0) out.bits(diff < 0 ? diff - 1 : diff, size);
  let run = 0;
  for (let i = 1; i < 64; i += 1) {
    const coefficient = value(i);
    if (coefficient === 0) {
      run += 1;
      continue;
    }
    for (; run >= 16; run -= 16) out.bits(ac.code[0xf0] ?? 0, ac.length[0xf0] ?? 0);
    const bits = 32 - Math.clz32(Math.abs(coefficient));
    const symbol = (run << 4) | bits;
    out.bits(ac.code[symbol] ?? 0, ac.length[symbol] ?? 0);
    out.bits(coefficient < 0 ? coefficient - 1 : coefficient, bits);
    run = 0;
  }
  if (run > 0) out.bits(ac.code[0] ?? 0, ac.length[0] ?? 0);
  return first;
}

function segment(out: BitWriter, marker: number, body: readonly number[]): void {
  const length = body.length + 2;
  out.raw([0xff, marker, length >> 8, length & 0xff, ...body]);
}

function writeHeaders(
  out: BitWriter,
  width: number,
  height: number,
  luma: Uint8Array,
  chroma: Uint8Array,
): void {
  out.raw([0xff, 0xd8]);
  segment(out, 0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  segment(out, 0xdb, [
    0,
    ...ZIGZAG.map((i) => luma[i] ?? 1),
    1,
    ...ZIGZAG.map((i) => chroma[i] ?? 1),
  ]);
  segment(out, 0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  const table = (id: number, spec: HuffmanSpec): number[] => [id, ...spec.counts, ...spec.symbols];
  segment(out, 0xc4, [
    ...table(0x00, LUMA_DC),
    ...table(0x10, LUMA_AC),
    ...table(0x01, CHROMA_DC),
    ...table(0x11, CHROMA_AC),
  ]);
  segment(out, 0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
}

/** Blocks of one 16×16 MCU: four luma blocks, then Cb and Cr (each pixel 2×2 averaged). */
interface McuBlocks {
  readonly luma: readonly Float32Array[];
  readonly cb: Float32Array;
  readonly cr: Float32Array;
}

/** Fill the MCU at (left, top), repeating the last row and column past the picture's edge. */
function fillMcu(image: RgbaImage, left: number, top: number, mcu: McuBlocks): void {
  const { width, height, data } = image;
  mcu.cb.fill(0);
  mcu.cr.fill(0);
  for (let y = 0; y < 16; y += 1) {
    const row = Math.min(top + y, height - 1) * width;
    const lumaLeft = mcu.luma[(y >> 3) * 2] ?? mcu.cb;
    const lumaRight = mcu.luma[(y >> 3) * 2 + 1] ?? mcu.cb;
    const chromaRow = (y >> 1) * 8;
    for (let x = 0; x < 16; x += 1) {
      const p = (row + Math.min(left + x, width - 1)) * 4;
      const r = data[p] ?? 0;
      const g = data[p + 1] ?? 0;
      const b = data[p + 2] ?? 0;
      const luma = 0.299 * r + 0.587 * g + 0.114 * b - 128;
      (x < 8 ? lumaLeft : lumaRight)[(y & 7) * 8 + (x & 7)] = luma;
      const c = chromaRow + (x >> 1);
      mcu.cb[c] = (mcu.cb[c] ?? 0) + (-0.168736 * r - 0.331264 * g + 0.5 * b) / 4;
      mcu.cr[c] = (mcu.cr[c] ?? 0) + (0.5 * r - 0.418688 * g - 0.081312 * b) / 4;
    }
  }
}

/** Encode RGBA pixels as a baseline 4:2:0 JPEG at `quality` (1–100, as libjpeg counts it). */
export function encodeJpeg(image: RgbaImage, quality: number): Uint8Array {
  const { width, height } = image;
  const lumaQuant = scaledQuant(LUMA_QUANT, quality);
  const chromaQuant = scaledQuant(CHROMA_QUANT, quality);
  const lumaDivisor = divisors(lumaQuant);
  const chromaDivisor = divisors(chromaQuant);
  // A screen at quality 80 packs into about a third of a byte a pixel; grown when it does not.
  const out = new BitWriter(Math.max(4096, (width * height) >> 1));
  writeHeaders(out, width, height, lumaQuant, chromaQuant);
  const mcu: McuBlocks = {
    luma: [0, 1, 2, 3].map(() => new Float32Array(64)),
    cb: new Float32Array(64),
    cr: new Float32Array(64),
  };
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  for (let top = 0; top < height; top += 16) {
    for (let left = 0; left < width; left += 16) {
      fillMcu(image, left, top, mcu);
      for (const block of mcu.luma) {
        dcY = codeBlock(out, block, lumaDivisor, dcY, CODES.lumaDc, CODES.lumaAc);
      }
      dcCb = codeBlock(out, mcu.cb, chromaDivisor, dcCb, CODES.chromaDc, CODES.chromaAc);
      dcCr = codeBlock(out, mcu.cr, chromaDivisor, dcCr, CODES.chromaDc, CODES.chromaAc);
    }
  }
  out.flush();
  out.raw([0xff, 0xd9]);
  return out.bytes.subarray(0, out.length);
}
