/**
 * Preloaded with `--import` into the app process: every `require('electron')` (the bundle keeps
 * Electron external) resolves to fake-electron.ts instead of the npm package, which without
 * its binary only exports a path.
 */
import { registerHooks } from 'node:module';

const FAKE_ELECTRON_URL = new URL('./fake-electron.ts', import.meta.url).href;

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'electron') return { url: FAKE_ELECTRON_URL, shortCircuit: true };
    return nextResolve(specifier, context);
  },
});
