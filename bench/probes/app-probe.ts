/**
 * The whole app core (settings, secrets, history, MCP tools, session, microphone and speaker: what
 * the Electron main process and the browser preview host) in its own process, for footprint
 * figures: connects to the server at argv[2] through a fresh data folder, plays one long reply
 * on the real output device and prints the resident memory before and after it as one JSON
 * object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AppEvent } from '../../shared/ipc.ts';
import { createAppCore } from '../../main/core/app/create-app-core.ts';
import { createPreviewDesktop } from '../../main/preview/preview-desktop.ts';

const url = process.argv[2] ?? '';
if (!url) throw new Error('usage: app-probe.ts <ws-url>');

// One async function, not top-level await: the probe is bundled as CommonJS, like the
// Electron main.
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-app-probe-'));
  const log = (line: string): void => void process.stderr.write(`app-probe: ${line}\n`);
  const core = await createAppCore({
    dataDir,
    appVersion: '0.0.0-bench',
    platform: process.platform,
    secretCipher: null,
    plaintextSecrets: true,
    desktop: (app) => createPreviewDesktop(app, log),
    isWindowVisible: () => true,
    notify: () => undefined,
    chooseExportFile: () => Promise.resolve(null),
    holdToTalkAvailable: false,
    hotkeyProblems: () => [],
    webSocketUrl: url,
  });

  const until = (accept: (e: AppEvent) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const off = core.onEvent((event) => {
        if (!accept(event)) return;
        off();
        resolve();
      });
    });
  const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
  const rssMb = (): number => process.memoryUsage().rss / (1024 * 1024);

  await core.handlers['app:ready'](undefined);
  const ready = until((e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  await core.handlers['session:connect'](undefined);
  await ready;
  await new Promise((r) => setTimeout(r, 3_000));
  collect();
  const idleRssMb = rssMb();

  const drained = until((e) => e.type === 'playbackDrained');
  const started = performance.now();
  await core.handlers['session:sendText']({ text: 'tell me a long story' });
  await drained;
  const replySeconds = (performance.now() - started) / 1000;
  await core.handlers['session:disconnect'](undefined);
  collect();
  await new Promise((r) => setTimeout(r, 200));
  const memory = process.memoryUsage();
  process.stdout.write(
    `\n${JSON.stringify({
      idleRssMb,
      rssMb: memory.rss / (1024 * 1024),
      heapMb: memory.heapUsed / (1024 * 1024),
      replySeconds,
    })}\n`,
  );
  rmSync(dataDir, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
