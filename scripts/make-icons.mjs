#!/usr/bin/env node
// Draws Lumi's tray and app icons in plain Node: shapes are described in a unit square, each
// pixel's coverage is found by supersampling, and a minimal PNG encoder (node:zlib for deflate
// and CRC-32) writes the files. The output is committed; run again after changing a glyph:
//   node scripts/make-icons.mjs [outputDir]     (default: resources/)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

/** Samples per pixel side: 5×5 gives smooth edges even at 16 px. */
const SUPERSAMPLE = 5;
const TRAY_SIZES = [16, 24, 32];
/** The macOS menu bar draws icons at 16 pt (22 pt bar); template images carry no colour. */
const TEMPLATE_SIZE = 16;
const APP_ICON_SIZES = [256, 512];

/** One colour per state; the mark inside the bubble tells the states apart without colour too. */
const STATES = {
  offline: { colour: '#8b93a1', mark: 'dash' },
  connecting: { colour: '#e0a100', mark: 'arc' },
  ready: { colour: '#22a55b', mark: 'check' },
  listening: { colour: '#e5484d', mark: 'mic' },
  thinking: { colour: '#8b5cf6', mark: 'dots' },
  speaking: { colour: '#2f80ed', mark: 'bars' },
  error: { colour: '#f2661e', mark: 'bang' },
  activation: { colour: '#0ea5e9', mark: 'keyhole' },
};
const BRAND_COLOUR = '#6d5ef8';

// ---- shapes: functions of a point (x, y) in the unit square → inside? ----

function roundRect(x0, y0, x1, y1, r) {
  return (x, y) => {
    const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
    const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
    return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
  };
}

function circle(cx, cy, r) {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** A line from a to b with round ends, `r` half its width. */
function capsule(ax, ay, bx, by, r) {
  return (x, y) => {
    const vx = bx - ax;
    const vy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
    return (x - ax - t * vx) ** 2 + (y - ay - t * vy) ** 2 <= r * r;
  };
}

function triangle(ax, ay, bx, by, cx, cy) {
  const side = (px, py, qx, qy, x, y) => (qx - px) * (y - py) - (qy - py) * (x - px);
  return (x, y) => {
    const s1 = side(ax, ay, bx, by, x, y);
    const s2 = side(bx, by, cx, cy, x, y);
    const s3 = side(cx, cy, ax, ay, x, y);
    return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
  };
}

/** A ring of radius r and half-width w, from angle a0 to a1 (radians, clockwise from 12 o'clock). */
function arc(cx, cy, r, w, a0, a1) {
  return (x, y) => {
    const d = Math.hypot(x - cx, y - cy);
    if (Math.abs(d - r) > w) return false;
    let a = Math.atan2(x - cx, -(y - cy));
    if (a < 0) a += 2 * Math.PI;
    return a >= a0 && a <= a1;
  };
}

const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));
const minus = (a, b) => (x, y) => a(x, y) && !b(x, y);

/** The speech bubble every icon is built on: a rounded body with a tail at the lower left. */
const bubble = union(
  roundRect(0.05, 0.08, 0.95, 0.76, 0.22),
  triangle(0.2, 0.7, 0.46, 0.7, 0.14, 0.96),
);
const bubbleInner = union(
  roundRect(0.14, 0.17, 0.86, 0.67, 0.14),
  triangle(0.27, 0.62, 0.4, 0.62, 0.22, 0.8),
);

/** The state marks, centred in the bubble body (its centre is at y ≈ 0.42). */
const MARKS = {
  dash: capsule(0.33, 0.42, 0.67, 0.42, 0.065),
  arc: arc(0.5, 0.42, 0.17, 0.06, 0.35 * Math.PI, 2 * Math.PI),
  check: union(capsule(0.32, 0.43, 0.45, 0.56, 0.065), capsule(0.45, 0.56, 0.69, 0.29, 0.065)),
  mic: union(
    capsule(0.5, 0.23, 0.5, 0.39, 0.09),
    arc(0.5, 0.38, 0.17, 0.05, 0.5 * Math.PI, 1.5 * Math.PI),
    capsule(0.5, 0.55, 0.5, 0.63, 0.05),
  ),
  dots: union(circle(0.3, 0.42, 0.07), circle(0.5, 0.42, 0.07), circle(0.7, 0.42, 0.07)),
  bars: union(
    capsule(0.32, 0.36, 0.32, 0.48, 0.055),
    capsule(0.5, 0.25, 0.5, 0.59, 0.055),
    capsule(0.68, 0.32, 0.68, 0.52, 0.055),
  ),
  bang: union(capsule(0.5, 0.24, 0.5, 0.44, 0.065), circle(0.5, 0.57, 0.07)),
  keyhole: union(circle(0.5, 0.35, 0.095), triangle(0.5, 0.34, 0.41, 0.6, 0.59, 0.6)),
};

// ---- rasteriser ----

function parseColour(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * Paints layers in order. A layer is { shape, colour } (painted over what is there) or
 * { shape, erase: true } (cuts what is there away, for template images).
 */
function render(size, layers) {
  const rgba = new Uint8Array(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers) {
        let hits = 0;
        for (let sy = 0; sy < SUPERSAMPLE; sy++) {
          for (let sx = 0; sx < SUPERSAMPLE; sx++) {
            const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
            const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
            if (layer.shape(x, y)) hits++;
          }
        }
        const coverage = hits / samples;
        if (coverage === 0) continue;
        if (layer.erase) {
          r *= 1 - coverage;
          g *= 1 - coverage;
          b *= 1 - coverage;
          a *= 1 - coverage;
          continue;
        }
        const [lr, lg, lb] = parseColour(layer.colour);
        r = lr * coverage + r * (1 - coverage);
        g = lg * coverage + g * (1 - coverage);
        b = lb * coverage + b * (1 - coverage);
        a = coverage + a * (1 - coverage);
      }
      const i = (py * size + px) * 4;
      // Stored with straight alpha: the accumulation above is premultiplied.
      rgba[i] = a > 0 ? Math.round(r / a) : 0;
      rgba[i + 1] = a > 0 ? Math.round(g / a) : 0;
      rgba[i + 2] = a > 0 ? Math.round(b / a) : 0;
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return rgba;
}

// ---- PNG encoder: 8-bit RGBA, no filtering, one IDAT ----

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type: RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (stride + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, y * stride, stride).copy(raw, y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- the icon set ----

function colourLayers(state) {
  const { colour, mark } = STATES[state];
  return [
    { shape: bubble, colour },
    { shape: MARKS[mark], colour: '#ffffff' },
  ];
}

/** Monochrome for macOS: the bubble in black with the mark cut out; offline is only an outline. */
function templateLayers(state) {
  const { mark } = STATES[state];
  if (state === 'offline') {
    return [{ shape: union(minus(bubble, bubbleInner), MARKS[mark]), colour: '#000000' }];
  }
  return [
    { shape: bubble, colour: '#000000' },
    { shape: MARKS[mark], erase: true },
  ];
}

function appIconLayers() {
  return [
    { shape: bubble, colour: BRAND_COLOUR },
    { shape: MARKS.bars, colour: '#ffffff' },
  ];
}

/** Every file of the set: [relative path, size, layers]. */
export function iconFiles() {
  const files = [];
  for (const state of Object.keys(STATES)) {
    for (const size of TRAY_SIZES) {
      files.push([`icons/tray-${state}-${size}.png`, size, colourLayers(state)]);
      files.push([`icons/tray-${state}-${size}@2x.png`, size * 2, colourLayers(state)]);
    }
    files.push([`icons/tray-${state}Template.png`, TEMPLATE_SIZE, templateLayers(state)]);
    files.push([`icons/tray-${state}Template@2x.png`, TEMPLATE_SIZE * 2, templateLayers(state)]);
  }
  for (const size of APP_ICON_SIZES) files.push([`icons/app-${size}.png`, size, appIconLayers()]);
  // electron-builder takes the app icon from buildResources/icon.png (512 px or larger).
  files.push(['icon.png', 512, appIconLayers()]);
  return files;
}

/** Writes the whole set under `outDir`; returns the paths written. */
export function writeIcons(outDir) {
  const written = [];
  for (const [relative, size, layers] of iconFiles()) {
    const file = path.join(outDir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, encodePng(size, render(size, layers)));
    written.push(file);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  const outDir = path.resolve(process.argv[2] ?? path.join(root, 'resources'));
  const written = writeIcons(outDir);
  console.log(`make-icons: wrote ${written.length} files under ${outDir}`);
}
