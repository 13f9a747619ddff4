// The libopus source lists for native/opus/binding.gyp, read from the libopus tree that
// @discordjs/opus installs (its celt_sources.mk, silk_sources.mk and opus_sources.mk, the lists
// libopus's own Makefile.am builds from), so the build follows whatever 1.3.x npm delivered.
//
//   node sources.cjs dir        the libopus folder
//   node sources.cjs common     the C sources of the float build
//   node sources.cjs sse4_1     the sources that need -msse4.1 (chosen at run time by RTCD)
//   node sources.cjs sse        the SSE/SSE2 sources (x86-64's baseline) and the CPU detection
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Which make variables each list is made of. */
const LISTS = {
  common: [
    'CELT_SOURCES',
    'SILK_SOURCES',
    'SILK_SOURCES_FLOAT',
    'OPUS_SOURCES',
    'OPUS_SOURCES_FLOAT',
  ],
  sse: ['CELT_SOURCES_SSE', 'CELT_SOURCES_SSE2'],
  sse4_1: ['CELT_SOURCES_SSE4_1', 'SILK_SOURCES_SSE4_1'],
};
const MAKEFILES = ['celt_sources.mk', 'silk_sources.mk', 'opus_sources.mk'];

function opusDir() {
  const root = path.join(__dirname, '..', '..');
  const pkg = require.resolve('@discordjs/opus/package.json', { paths: [root] });
  return path.join(path.dirname(pkg), 'deps', 'opus');
}

/** `NAME = a.c \` continuation lists of a .mk file, by variable name. */
function makeVariables(text) {
  const variables = new Map();
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split(/\r?\n/)) {
    const match = /^([A-Z0-9_]+)\s*=(.*)$/.exec(line);
    if (match) variables.set(match[1], match[2].trim().split(/\s+/).filter(Boolean));
  }
  return variables;
}

function main() {
  const what = process.argv[2];
  const dir = opusDir();
  if (what === 'dir') {
    process.stdout.write(dir);
    return;
  }
  const names = LISTS[what];
  if (!names) throw new Error(`sources.cjs: unknown list "${what}"`);
  const variables = new Map();
  for (const file of MAKEFILES) {
    for (const [name, value] of makeVariables(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      variables.set(name, value);
    }
  }
  const files = names.flatMap((name) => {
    const list = variables.get(name);
    if (!list) throw new Error(`sources.cjs: ${name} is missing from the libopus tree`);
    // Relative to this folder: gyp's make generator mangles absolute source paths.
    return list.map((file) => path.relative(__dirname, path.join(dir, file)));
  });
  process.stdout.write(files.join('\n'));
}

main();
