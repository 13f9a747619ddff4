/**
 * Startup of the whole app core (what the Electron main and the browser preview host build), in a
 * fresh process, bundled like the Electron main: from the process's start (performance's time
 * origin) to the core ready to connect — settings, secrets and profiles read, history open, the
 * window's first snapshot answerable. Audio devices are listed lazily, on the first request, so
 * they are not part of it. Prints one JSON object: the ms, and the native addons loaded by then
 * (each one a cost startup should not pay).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAppCore } from '../../main/core/app/create-app-core.ts';
import { createPreviewDesktop } from '../../main/preview/preview-desktop.ts';

/** Nothing listens here: startup never connects. */
const UNUSED_SERVER_URL = 'ws://127.0.0.1:9/xiaozhi/v1/';

// One async function, not top-level await: the probe is bundled as CommonJS, like the Electron main.
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-boot-probe-'));
  try {
    const core = await createAppCore({
      dataDir,
      appVersion: '0.0.0-bench',
      platform: process.platform,
      secretCipher: null,
      plaintextSecrets: true,
      desktop: (app) => createPreviewDesktop(app, () => undefined),
      isWindowVisible: () => true,
      notify: () => undefined,
      holdToTalkAvailable: false,
      hotkeyProblems: () => [],
      webSocketUrl: UNUSED_SERVER_URL,
      chooseExportFile: () => Promise.resolve(null),
    });
    core.snapshot();
    const readyMs = performance.now();
    const loaded = Object.keys(createRequire(__filename).cache).filter((path) =>
      path.endsWith('.node'),
    );
    process.stdout.write(
      `\n${JSON.stringify({
        readyMs,
        nativeAddons: loaded.map((path) => path.split('node_modules/').at(-1)),
      })}\n`,
    );
    await core.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
