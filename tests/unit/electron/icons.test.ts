import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trayIconFileName } from '../../../main/electron/tray-icons.ts';
import { TRAY_ICON_STATES } from '../../../main/electron/tray-state.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const resources = path.join(root, 'resources');

interface Png {
  readonly width: number;
  readonly height: number;
  readonly colourType: number;
  readonly pixels: Buffer;
}

/** Reads the PNGs make-icons writes (8-bit RGBA, filter 0), checking every chunk's CRC. */
function decodePng(file: string): Png {
  const data = readFileSync(file);
  expect(data.subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  );
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('ascii', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    const crc = data.readUInt32BE(offset + 8 + length);
    expect(zlib.crc32(data.subarray(offset + 4, offset + 8 + length))).toBe(crc);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      colourType = body[9] ?? -1;
    }
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    expect(raw[y * (stride + 1)]).toBe(0);
    rows.push(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
  }
  return { width, height, colourType, pixels: Buffer.concat(rows) };
}

let regenerated: string;

beforeAll(() => {
  regenerated = mkdtempSync(path.join(os.tmpdir(), 'lumi-icons-'));
  execFileSync(process.execPath, [path.join(root, 'scripts/make-icons.mjs'), regenerated]);
}, 60_000);

afterAll(() => {
  rmSync(regenerated, { recursive: true, force: true });
});

describe('tray icons', () => {
  it.each(['linux', 'win32', 'darwin'] as const)(
    'has an icon and its @2x sibling for every state on %s, at the right size',
    (platform) => {
      for (const state of TRAY_ICON_STATES) {
        const name = trayIconFileName(state, platform);
        const file = path.join(resources, 'icons', name);
        const hiDpi = file.replace(/\.png$/, '@2x.png');
        expect(existsSync(file), name).toBe(true);
        const png = decodePng(file);
        const expected = platform === 'linux' ? 24 : 16;
        expect([png.width, png.height]).toEqual([expected, expected]);
        expect(png.colourType).toBe(6);
        expect(decodePng(hiDpi).width).toBe(expected * 2);
      }
    },
  );

  it('makes macOS template images monochrome: black with alpha only', () => {
    for (const state of TRAY_ICON_STATES) {
      const { pixels } = decodePng(path.join(resources, 'icons', `tray-${state}Template@2x.png`));
      let opaque = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if ((pixels[i + 3] ?? 0) === 0) continue;
        opaque++;
        expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([0, 0, 0]);
      }
      expect(opaque).toBeGreaterThan(100);
    }
  });

  it('draws each state differently (no two icons alike)', () => {
    const seen = new Set<string>();
    for (const state of TRAY_ICON_STATES) {
      seen.add(
        decodePng(path.join(resources, 'icons', `tray-${state}-24.png`)).pixels.toString('base64'),
      );
      seen.add(
        decodePng(path.join(resources, 'icons', `tray-${state}Template.png`)).pixels.toString(
          'base64',
        ),
      );
    }
    expect(seen.size).toBe(TRAY_ICON_STATES.length * 2);
  });

  it('has the 512 px app icon electron-builder needs', () => {
    const png = decodePng(path.join(resources, 'icon.png'));
    expect([png.width, png.height]).toEqual([512, 512]);
  });

  it('matches what scripts/make-icons.mjs draws today (the committed files are current)', () => {
    const files = readdirSync(path.join(regenerated, 'icons')).map((f) => path.join('icons', f));
    files.push('icon.png');
    expect(files.length).toBe(TRAY_ICON_STATES.length * 8 + 3);
    for (const relative of files) {
      const committed = decodePng(path.join(resources, relative));
      const fresh = decodePng(path.join(regenerated, relative));
      expect(committed.width, relative).toBe(fresh.width);
      expect(committed.pixels.equals(fresh.pixels), relative).toBe(true);
    }
  });
});
