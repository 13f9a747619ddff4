/**
 * The real `lumi-cli` (main/cli.ts in a child process) on a real X display: a typed "look at my
 * screen" turn makes the reference server's model call self.screen.take_screenshot, Lumi
 * captures the painted Xvfb screen with xwd and posts it to the vision endpoint, and the reply
 * quotes what the endpoint saw in the picture.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  colourIn,
  missingX11Tools,
  nearColour,
  startPaintedXvfb,
  type XDisplay,
} from '../../helpers/xvfb.ts';
import { runCli, type CliRun } from '../../helpers/cli-run.ts';

const RUN_TIMEOUT_MS = 30_000;
const inCi = Boolean(process.env.CI);

function cli(args: readonly string[], display: string): Promise<CliRun> {
  return runCli(args, { timeoutMs: RUN_TIMEOUT_MS, env: { DISPLAY: display } });
}

let x: XDisplay;
let server: ReferenceServer | null = null;

describe.skipIf(missingX11Tools.length > 0 && !inCi)('lumi-cli looks at the screen', () => {
  beforeAll(async () => {
    x = await startPaintedXvfb();
  });
  afterAll(() => x.stop());
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  const turn = (allow: readonly string[]): Promise<{ code: number | null; stdout: string }> => {
    if (server === null) throw new Error('no server');
    const dir = mkdtempSync(join(tmpdir(), 'lumi-vision-'));
    const allowed = allow.flatMap((tool) => ['--allow-tools', tool]);
    return cli(
      [
        '--url',
        server.url,
        '--text',
        '看看我的屏幕上有什么',
        '--json',
        ...allowed,
        '--config-dir',
        dir,
      ],
      x.display,
    );
  };

  it('answers a typed turn with what the vision endpoint saw on the real screen', async () => {
    server = await startReferenceServer();
    const run = await turn(['self.screen.take_screenshot']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('图片 JPEG 1280x720');
    expect(nearColour(colourIn(run.stdout))).toBe(true);
    expect(server.visionRequests).toHaveLength(1);
    expect(server.visionRequests[0]).toMatchObject({
      tokenValid: true,
      question: '看看我的屏幕上有什么',
      image: { width: 1280, height: 720 },
    });
    expect(server.visionRequests[0]?.deviceId).toBe(server.connections.at(-1)?.headers.deviceId);
  });

  it('sends no picture when the tool is not allowed', async () => {
    server = await startReferenceServer();
    const run = await turn([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The user did not allow self.screen.take_screenshot');
    expect(server.visionRequests).toEqual([]);
  });
});
