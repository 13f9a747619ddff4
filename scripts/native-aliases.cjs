// @discordjs/opus looks its binary up in a folder named after the running runtime and ABI
// (node-v137-napi-v3-…, electron-v45.4-napi-v3-…; discordjs/opus#50). The addon is N-API, so one
// build serves every runtime: copy whatever npm built to the folders Node 24 (the project's
// tool Node, node_modules/.bin/node) and Electron will look in.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

function runtimePrefixes() {
  const prefixes = new Set([`node-v${process.versions.modules}`]);
  const localNode = path.join(__dirname, '..', 'node_modules', '.bin', 'node');
  if (fs.existsSync(localNode)) {
    const abi = execFileSync(localNode, ['-p', 'process.versions.modules'], { encoding: 'utf8' });
    prefixes.add(`node-v${abi.trim()}`);
  }
  try {
    const [major, minor] = require('electron/package.json').version.split('.');
    prefixes.add(`electron-v${major}.${minor}`);
  } catch {
    // electron is a devDependency; absent in production installs
  }
  return prefixes;
}

function main() {
  let pkg;
  try {
    pkg = require.resolve('@discordjs/opus/package.json');
  } catch {
    return;
  }
  const prebuildDir = path.join(path.dirname(pkg), 'prebuild');
  const builtDir = fs.existsSync(prebuildDir)
    ? fs.readdirSync(prebuildDir).find((d) => fs.existsSync(path.join(prebuildDir, d, 'opus.node')))
    : undefined;
  if (!builtDir) {
    console.warn('native-aliases: no @discordjs/opus binary was built; skipping');
    return;
  }
  const suffix = builtDir.slice(builtDir.indexOf('-napi-'));
  for (const prefix of runtimePrefixes()) {
    const target = path.join(prebuildDir, prefix + suffix);
    if (target === path.join(prebuildDir, builtDir)) continue;
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(path.join(prebuildDir, builtDir, 'opus.node'), path.join(target, 'opus.node'));
  }
}

main();
