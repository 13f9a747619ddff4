// Builds Lumi's own Opus binding (native/opus) with node-gyp at `npm install` (the root
// postinstall). It is a Node-API addon, so one build serves Node 24 and Electron 45 alike.
//
// node-gyp needs Node's headers. It takes them, in this order, from the `node` package's
// platform binary package (node_modules/node/node_modules/node-<platform>-<arch>, the headers
// of the project's own Node), from npm's `nodedir` setting, or else downloads them itself.
// JOBS (node-gyp's own variable; `max` for every core) sets the parallel compiles, 2 by default.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const ADDON_DIR = path.join(ROOT, 'native', 'opus');
const DEFAULT_JOBS = '2';

function nodeHeaders() {
  const bundled = path.join(
    ROOT,
    'node_modules',
    'node',
    'node_modules',
    `node-${process.platform}-${process.arch}`,
  );
  if (fs.existsSync(path.join(bundled, 'include', 'node', 'node_api.h'))) return bundled;
  const configured = process.env.npm_config_nodedir;
  if (configured && fs.existsSync(path.join(configured, 'include', 'node', 'node_api.h'))) {
    return configured;
  }
  return null;
}

/** node-gyp from node_modules (a dev dependency), else the one npm bundles for install scripts. */
function nodeGypScript() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] });
  } catch {
    const bundled = process.env.npm_config_node_gyp;
    if (bundled) return bundled;
    throw new Error('build-native: node-gyp is not installed');
  }
}

function main() {
  const nodeGyp = nodeGypScript();
  const headers = nodeHeaders();
  const args = [nodeGyp, 'rebuild', `--jobs=${process.env.JOBS || DEFAULT_JOBS}`];
  if (headers) args.push(`--nodedir=${headers}`);
  console.log(`build-native: node-gyp for native/opus (headers: ${headers ?? "node-gyp's own"})`);
  const run = spawnSync(process.execPath, args, { cwd: ADDON_DIR, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(
      'build-native: the Opus binding did not build; it needs python3, make and a C compiler',
    );
    process.exit(run.status ?? 1);
  }
}

main();
