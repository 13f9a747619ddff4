#!/usr/bin/env node
// Builds everything the app and the CLI run from, into dist/:
//   dist/main/start.cjs     Electron main's entry: turns on V8's compile cache, loads index.cjs
//   dist/main/index.cjs     Electron main (CJS: Electron's main loads CommonJS most simply)
//   dist/preload/index.cjs  the sandboxed preload (a sandboxed preload must be one CJS file)
//   dist/preload/camera.cjs the hidden camera page's preload
//   dist/cli/index.mjs      the terminal front end (ESM, runnable with a shebang)
//   dist/renderer/          the Svelte window and the camera page (vite)
// Native addons, Electron and libsamplerate-js stay external; they are loaded from node_modules
// at run time (scripts/bundle-options.mjs says why).
import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import {
  CJS_IMPORT_META,
  ESM_REQUIRE_BANNER,
  NODE_EXTERNAL,
  NODE_SOURCE_OPTIONS,
} from './bundle-options.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const from = (...parts) => path.join(root, ...parts);

const NODE_TARGET = 'node22';
const SHEBANG = '#!/usr/bin/env node';
const EXECUTABLE_MODE = 0o755;
/** Electron 45's Chromium; the preload runs in the renderer. */
const CHROME_TARGET = 'chrome140';

const common = {
  bundle: true,
  sourcemap: true,
  logLevel: 'warning',
  external: NODE_EXTERNAL,
  absWorkingDir: root,
};

async function buildMain() {
  await build({
    ...common,
    ...CJS_IMPORT_META,
    ...NODE_SOURCE_OPTIONS,
    entryPoints: [from('main/index.ts')],
    outfile: from('dist/main/index.cjs'),
    platform: 'node',
    target: NODE_TARGET,
    format: 'cjs',
    // Lazy `import('naudiodon')` and the like become require(): Electron's require is the
    // loader that reads app.asar and sends .node files to app.asar.unpacked.
    supported: { 'dynamic-import': false },
  });
}

/**
 * The Electron main's entry, before the bundle: V8's compile cache (Node's
 * module.enableCompileCache, in Electron ≥ 33) in the user-data folder, so every start after the
 * first loads the bundle's compiled code instead of parsing ~400 kB of source again (~45 ms of
 * core.boot on the 2-core bench machine). It has to run before the bundle is compiled, hence a
 * file of its own; where the cache cannot be used (an old runtime, a read-only folder) the app
 * starts as before.
 */
const MAIN_START = `'use strict';
const { app } = require('electron');
const { enableCompileCache } = require('node:module');
const path = require('node:path');
enableCompileCache?.(path.join(app.getPath('userData'), 'compile-cache'));
require('./index.cjs');
`;

async function buildMainStart() {
  await writeFile(from('dist/main/start.cjs'), MAIN_START);
}

/** The window's preload, and the hidden camera page's own (preload/camera.ts). */
async function buildPreload() {
  await build({
    ...common,
    entryPoints: { index: from('preload/index.ts'), camera: from('preload/camera.ts') },
    outdir: from('dist/preload'),
    outExtension: { '.js': '.cjs' },
    platform: 'node',
    target: CHROME_TARGET,
    format: 'cjs',
  });
}

async function buildCli() {
  const entry = from('main/cli.ts');
  const outfile = from('dist/cli/index.mjs');
  if (!existsSync(entry)) {
    console.log('build: main/cli.ts not present, CLI skipped');
    return;
  }
  await build({
    ...common,
    entryPoints: [entry],
    outfile,
    platform: 'node',
    target: NODE_TARGET,
    format: 'esm',
    ...NODE_SOURCE_OPTIONS,
    banner: { js: ESM_REQUIRE_BANNER },
  });
  // esbuild keeps an entry's own #! line (above the banner); add one if main/cli.ts has none.
  const text = await readFile(outfile, 'utf8');
  if (!text.startsWith('#!')) await writeFile(outfile, `${SHEBANG}\n${text}`);
  await chmod(outfile, EXECUTABLE_MODE);
}

async function main() {
  const started = performance.now();
  await rm(from('dist'), { recursive: true, force: true });
  await Promise.all([buildMain().then(buildMainStart), buildPreload(), buildCli()]);
  await viteBuild({ configFile: from('vite.config.ts'), logLevel: 'warn' });
  console.log(`build: done in ${Math.round(performance.now() - started)} ms`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
