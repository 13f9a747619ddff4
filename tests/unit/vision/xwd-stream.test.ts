/**
 * The X11 capture read as a stream (node-screen.ts): a dump arriving in chunks of any size,
 * header split included, gives the same scaled picture as the whole dump scaled at once; an
 * xwd that is missing or fails is reported as unavailable, and a dump cut short is an error.
 */
import { describe, expect, it } from 'vitest';
import { CapabilityUnavailableError } from '../../../main/core/mcp/capabilities.ts';
import { captureX11, type RunDump } from '../../../main/core/mcp/node-screen.ts';
import { downscale } from '../../../main/core/vision/picture.ts';
import { parseXwd } from '../../../main/core/vision/xwd.ts';

const WIDTH = 30;
const HEIGHT = 20;

/** A 32-bit LSB-first dump (BGRX) of a gradient, with a window name and two colour entries. */
function gradientDump(): Uint8Array {
  const headerSize = 108;
  const colours = 2;
  const stride = WIDTH * 4 + 8;
  const words = [headerSize, 7, 2, 24, WIDTH, HEIGHT, 0, 0, 32, 0, 32, 32, stride, 4];
  words.push(0xff0000, 0xff00, 0xff, 8, 256, colours, 0, WIDTH, HEIGHT, 0, 0);
  const start = headerSize + colours * 12;
  const out = new Uint8Array(start + stride * HEIGHT);
  const view = new DataView(out.buffer);
  words.forEach((word, i) => view.setUint32(i * 4, word, false));
  for (let y = 0; y < HEIGHT; y += 1) {
    for (let x = 0; x < WIDTH; x += 1) {
      out.set([x * 8, y * 12, (x * y) % 256, 0], start + y * stride + x * 4);
    }
  }
  return out;
}

function chunked(
  bytes: Uint8Array,
  size: number,
  exit: Promise<void> = Promise.resolve(),
): RunDump {
  return () => ({
    chunks: (async function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })(),
    exited: exit,
    stop: () => undefined,
  });
}

describe('captureX11 reading xwd as a stream', () => {
  it('scales a dump arriving in chunks of any size exactly as the whole dump', async () => {
    const dump = gradientDump();
    const whole = downscale(parseXwd(dump), 16);
    for (const size of [1, 7, 100, 4096]) {
      const frame = await captureX11({}, 16, chunked(dump, size));
      expect({ width: frame.width, height: frame.height }).toEqual({ width: 16, height: 11 });
      expect(frame.offsets).toEqual({ red: 0, green: 1, blue: 2 });
      expect(frame.data).toEqual(whole.data);
    }
  });

  it('keeps a screen that already fits at its size', async () => {
    const frame = await captureX11({}, 1280, chunked(gradientDump(), 333));
    expect([frame.width, frame.height]).toEqual([WIDTH, HEIGHT]);
    // Pixel (5, 0): blue 40 in the dump's first byte, RGBA here.
    expect([...frame.data.subarray(4 * 5, 4 * 5 + 3)]).toEqual([0, 0, 40]);
  });

  it('reports a missing or failing xwd as unavailable, and a short dump as an error', async () => {
    const missing = Object.assign(new Error('spawn xwd ENOENT'), { code: 'ENOENT' });
    await expect(
      captureX11({}, 16, chunked(new Uint8Array(), 1, Promise.reject(missing))),
    ).rejects.toThrow(
      new CapabilityUnavailableError(
        'Screen capture is not available: xwd (x11-apps) is not installed',
      ),
    );
    const failed = new Error('xwd:  unable to open display ":9"');
    await expect(
      captureX11({}, 16, chunked(new Uint8Array(), 1, Promise.reject(failed))),
    ).rejects.toBeInstanceOf(CapabilityUnavailableError);
    const dump = gradientDump();
    await expect(
      captureX11({}, 16, chunked(dump.subarray(0, dump.length - 50), 64)),
    ).rejects.toThrow('truncated');
  });
});
