/**
 * Builds the app and packs it with electron-builder against a stand-in Electron, offline
 * (scripts/package-smoke.sh): the asar must hold the bundled main, preload and renderer, the
 * native addons must be unpacked beside it, and the afterPack hook must have flipped the fuses.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Build (~3 s) plus electron-builder (~10–30 s on a busy 2-core machine). */
const PACKAGE_TIMEOUT_MS = 180_000;

describe('packaging', () => {
  it(
    'packs a Linux app whose asar, unpacked addons and fuses are right',
    () => {
      const result = spawnSync('bash', ['scripts/package-smoke.sh'], {
        cwd: root,
        encoding: 'utf8',
        timeout: PACKAGE_TIMEOUT_MS,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      expect(output).not.toContain('package-smoke: FAIL');
      expect(result.status, output).toBe(0);
      expect(result.stdout).toContain('package-smoke: ok');
    },
    PACKAGE_TIMEOUT_MS,
  );
});
