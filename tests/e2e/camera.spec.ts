/**
 * The hidden camera page (renderer/camera.html) as built, in Debian's Chromium with its fake
 * camera (`--use-fake-device-for-media-stream`; `--use-fake-ui-for-media-stream` stands for
 * the permission that main/electron/camera.ts grants that page alone in Lumi). The page is
 * served by Lumi's own app:// handler, so it runs under the production CSP; a stand-in for its
 * preload records what it tells main. Asserted: it counts the camera, and a capture request
 * gets back a real JPEG of the fake device's size whose pixels show the fake device's pattern
 * (not a black or empty frame).
 */
import { createServer, type Server } from 'node:http';
import { test, expect } from '@playwright/test';
import jpeg from 'jpeg-js';
import type { CaptureReply } from '../../shared/camera-page.ts';
import { APP_ENTRY_URL, createAppProtocolHandler } from '../../main/electron/app-protocol.ts';
import { DEFAULT_RENDERER_DIR } from '../../main/preview/renderer-files.ts';
import { CHROMIUM_LAUNCH_OPTIONS } from './chromium.ts';
import { RENDERER_VARIABLE } from './global-setup.ts';

const MAX_SIDE = 1280;

/** The built renderer over HTTP on 127.0.0.1 (a secure context), through the app:// handler. */
async function serveRenderer(): Promise<{ server: Server; origin: string }> {
  const handle = createAppProtocolHandler({
    root: process.env[RENDERER_VARIABLE] ?? DEFAULT_RENDERER_DIR,
  });
  const server = createServer((req, res) => {
    void handle(new Request(new URL(req.url ?? '/', APP_ENTRY_URL))).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, origin: `http://127.0.0.1:${port}` };
}

let served: { server: Server; origin: string } | null = null;
test.beforeAll(async () => {
  served = await serveRenderer();
});
test.afterAll(async () => {
  const server = served?.server;
  if (server) await new Promise((resolve) => server.close(resolve));
});

test.use({
  launchOptions: {
    ...CHROMIUM_LAUNCH_OPTIONS,
    args: [
      ...(CHROMIUM_LAUNCH_OPTIONS.args ?? []),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  },
});

/** The stand-in preload: what the page tells main, and a way to ask it for a frame. */
const PRELOAD_STAND_IN = () => {
  const seen = { counts: [] as number[], replies: [] as unknown[], ask: [] as unknown[] };
  Object.assign(window, {
    seen,
    lumiCamera: {
      onCaptureRequested: (listener: unknown) => {
        seen.ask.push(listener);
        return () => undefined;
      },
      deliverFrame: (reply: { jpeg?: Uint8Array }) =>
        seen.replies.push(reply.jpeg ? { ...reply, jpeg: Array.from(reply.jpeg) } : reply),
      reportCameras: (count: number) => seen.counts.push(count),
    },
  });
};

interface Seen {
  counts: number[];
  /** The replies, their JPEG bytes as a plain array (what `evaluate` can carry back). */
  replies: (
    | (Omit<Extract<CaptureReply, { ok: true }>, 'jpeg'> & { jpeg: number[] })
    | Extract<CaptureReply, { ok: false }>
  )[];
  ask: ((request: { id: number; maxSide: number }) => void)[];
}

test('the camera page counts the camera and hands over a real photo', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(PRELOAD_STAND_IN);
  await page.goto(`${served?.origin ?? ''}/camera.html`);

  const seen = () => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
  await expect.poll(async () => (await seen()).counts).toEqual([1]);

  await page.evaluate((maxSide) => {
    for (const ask of (window as unknown as { seen: Seen }).seen.ask) ask({ id: 7, maxSide });
  }, MAX_SIDE);
  await expect.poll(async () => (await seen()).replies.length).toBe(1);
  const reply = (await seen()).replies[0];
  expect(reply).toMatchObject({ id: 7, ok: true });
  if (reply?.ok !== true) throw new Error('no photo');

  // The size the fake device gives for the same request.
  const device = await page.evaluate(async (maxSide) => {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: maxSide }, height: { ideal: maxSide } },
    });
    const { width, height } = stream.getVideoTracks()[0]?.getSettings() ?? {};
    for (const track of stream.getTracks()) track.stop();
    return { width, height };
  }, MAX_SIDE);

  const decoded = jpeg.decode(new Uint8Array(reply.jpeg), { useTArray: true });
  expect({ width: decoded.width, height: decoded.height }).toEqual(device);
  expect({ width: reply.width, height: reply.height }).toEqual(device);
  expect(Math.max(decoded.width, decoded.height)).toBeLessThanOrEqual(MAX_SIDE);
  // Not black, not flat: the fake device's moving pattern on its coloured background.
  let sum = 0;
  const lumas = new Set<number>();
  for (let i = 0; i < decoded.data.length; i += 4) {
    const luma =
      ((decoded.data[i] ?? 0) + (decoded.data[i + 1] ?? 0) + (decoded.data[i + 2] ?? 0)) / 3;
    sum += luma;
    lumas.add(Math.round(luma / 16));
  }
  expect(sum / (decoded.width * decoded.height)).toBeGreaterThan(20);
  expect(lumas.size).toBeGreaterThan(3);
  expect(errors).toEqual([]);
});
