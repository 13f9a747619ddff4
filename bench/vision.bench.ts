/**
 * vision.capture_to_post: from the start of a screen capture until the vision endpoint has the
 * picture — xwd of a 1920×1080 Xvfb screen read as a stream and box-scaled to 1280×720 as its
 * rows arrive, the JPEG encode (vision/jpeg-encoder.ts, 4:2:0) and the multipart POST to the
 * reference server on 127.0.0.1, the same steps `self.screen.take_screenshot` takes once the
 * user has allowed it (consent waits for the user, so it is not counted; nor is the prompt's
 * thumbnail, made while the user is asked). The screen shows xsetroot's grid, not a flat
 * colour, because a flat picture encodes faster than any real screen.
 */
import { NodeDesktopCapabilities } from '../main/core/mcp/node-capabilities.ts';
import { downscale, encodeToFit, PICTURE_MAX_SIDE } from '../main/core/vision/picture.ts';
import { explainPicture } from '../main/core/vision/vision-upload.ts';
import { startReferenceServer } from '../tests/fixtures/reference-server.ts';
import { missingX11Tools, startPaintedXvfb } from '../tests/helpers/xvfb.ts';
import { fromRuns } from './stats.ts';
import type { BenchOutcome } from './types.ts';

const RUNS = 9;
const NAME = 'vision.capture_to_post';
const DEVICE_ID = 'be:nc:h0:00:00:01';

export default async function run(): Promise<BenchOutcome[]> {
  if (missingX11Tools.length > 0) {
    return [{ name: NAME, error: `not installed: ${missingX11Tools.join(', ')}` }];
  }
  const x = await startPaintedXvfb(undefined, true);
  const server = await startReferenceServer();
  try {
    const desktop = new NodeDesktopCapabilities({
      app: {
        getVolume: () => Promise.resolve(100),
        setVolume: () => Promise.resolve(),
        getMode: () => Promise.resolve('manual'),
        setMode: () => Promise.resolve(),
        status: () => Promise.resolve({ connection: 'ready', appVersion: '0', os: 'linux' }),
      },
      env: { ...process.env, DISPLAY: x.display },
      platform: 'linux',
    });
    const capture = desktop.captureScreen;
    if (capture === undefined) return [{ name: NAME, error: 'no X display to capture' }];
    const url = server.url.replace('ws:', 'http:').replace('/xiaozhi/v1/', '/mcp/vision/explain');
    const target = {
      url,
      token: 'bench',
      deviceId: DEVICE_ID,
      clientId: 'bench',
      sessionUrl: server.url,
    };
    const once = async (): Promise<number> => {
      const started = performance.now();
      const frame = await capture({ maxSide: PICTURE_MAX_SIDE });
      const encoded = encodeToFit(downscale(frame, PICTURE_MAX_SIDE));
      if (encoded === null) throw new Error('the picture did not fit');
      const seen = server.visionRequests.length;
      // The token is not one the server issued: it answers 401 after reading the whole upload,
      // which is all this figure needs.
      await explainPicture(target, 'bench', encoded.jpeg, AbortSignal.timeout(10_000)).catch(
        () => undefined,
      );
      const received = server.visionRequests[seen];
      if (received === undefined) throw new Error('the endpoint saw no request');
      return received.at - started;
    };
    // The first run compiles the encoder; the user's first screenshot pays that once.
    await once();
    const runs: number[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await once());
    return [fromRuns(NAME, 'ms', runs, '≤ 300 (1920×1080 screen, JPEG ≤ 1280 px, ≤ 500 KB)')];
  } finally {
    await server.stop();
    x.stop();
  }
}
