/**
 * Bundles bridge-client.ts into one classic script, in memory, when the host starts: the page
 * loads it with a plain `<script src>` so `window.lumi` exists before the app's module runs.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ENTRY = fileURLToPath(new URL('./bridge-client.ts', import.meta.url));
/** The Chromium of Electron 45, the same target as the renderer build. */
const BROWSER_TARGET = 'chrome140';

/** The bridge script's source text. */
export async function bundleBridgeClient(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: BROWSER_TARGET,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no bridge script');
  return output.text;
}
