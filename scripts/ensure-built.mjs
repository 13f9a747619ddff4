#!/usr/bin/env node
// `node scripts/ensure-built.mjs`: runs the build (scripts/build.mjs) when dist/ lacks a built
// file or is older than a source it is built from, and otherwise does nothing. It stands in
// front of the commands that load dist/ (`npm run preview:browser` and `npm run bench` serve
// the built renderer), so they work right after `npm install` and never serve a stale window.
// `npm test` builds on its own and then finds dist/ fresh, so nothing is built twice.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout this script belongs to. */
export const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** What dist/ is built from; anything here newer than the oldest built file means a rebuild. */
export const BUILD_SOURCES = [
  'main',
  'shared',
  'preload',
  'renderer',
  'scripts/build.mjs',
  'scripts/bundle-options.mjs',
  'vite.config.ts',
  'svelte.config.js',
];
/** The built files the front ends load (the CLI runs from its sources). */
export const BUILD_OUTPUTS = [
  'dist/main/index.cjs',
  'dist/main/start.cjs',
  'dist/preload/index.cjs',
  'dist/preload/camera.cjs',
  'dist/renderer/index.html',
  'dist/renderer/camera.html',
];
/** A build takes ~2 s alone and far longer on a busy 2-core machine. */
export const BUILD_TIMEOUT_MS = 90_000;

function newestMtime(entry) {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const name of readdirSync(entry)) {
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** Whether every built file is there (a dist/ without some is missing or being written). */
export function allBuilt(root = ROOT) {
  return BUILD_OUTPUTS.every((file) => existsSync(path.join(root, file)));
}

/** Whether dist/ lacks a built file or is older than any source it is built from. */
export function buildIsStale(root = ROOT) {
  if (!allBuilt(root)) return true;
  const oldestBuilt = Math.min(
    ...BUILD_OUTPUTS.map((file) => statSync(path.join(root, file)).mtimeMs),
  );
  const sources = BUILD_SOURCES.map((entry) => path.join(root, entry)).filter(existsSync);
  return Math.max(...sources.map(newestMtime)) > oldestBuilt;
}

/**
 * Runs scripts/build.mjs in `root` under this Node. Its output goes to this process's stderr,
 * or with `quiet` into the error when it fails: stdout belongs to the command it stands in
 * front of (`npm run bench -- --json` prints JSON lines there).
 * @throws Error when the build fails or outlasts BUILD_TIMEOUT_MS
 */
export function build(root = ROOT, { quiet = false } = {}) {
  const STDERR = 2;
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    encoding: 'utf8',
    stdio: quiet ? 'pipe' : ['ignore', STDERR, STDERR],
    timeout: BUILD_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    const output = quiet ? `:\n${result.stdout}\n${result.stderr}` : '';
    throw new Error(`npm run build failed${output}`);
  }
}

/** Builds when dist/ is stale; says so first. Returns whether it built. */
export function ensureBuilt(root = ROOT) {
  if (!buildIsStale(root)) return false;
  console.error('dist/ is missing or older than the sources: building first (npm run build)');
  build(root);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureBuilt();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
