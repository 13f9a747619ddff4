// esbuild options every Node-side bundle shares: the Electron main, the CLI, and the footprint
// bench's probes (so they measure what ships).

/**
 * Loaded from node_modules at run time, never bundled: native addons, Electron itself,
 * libsamplerate-js, whose 2 MB of inline wasm would otherwise sit in every process's script
 * source although it loads only for a device that refuses 48 kHz, and MQTT.js (~700 KB with
 * its streams), which loads only when a profile talks MQTT + UDP.
 */
export const NODE_EXTERNAL = [
  'electron',
  '@discordjs/opus',
  'naudiodon',
  'segfault-handler',
  'uiohook-napi',
  '@alexanderolsen/libsamplerate-js',
  'mqtt',
];

/**
 * A bundle's source text stays resident for the life of the process (V8 compiles functions
 * lazily from it). Without comments and indentation it is about half the size, and all ASCII
 * (esbuild escapes the rest), which V8 stores at one byte a character: a single "—" left in a
 * comment makes it two. Names are kept, so stack traces read like the code; source maps give
 * the lines.
 */
export const NODE_SOURCE_OPTIONS = {
  minifyWhitespace: true,
  charset: 'ascii',
  legalComments: 'none',
};

/** ESM has no `require` for bundled CommonJS dependencies to call unless one is made. */
export const ESM_REQUIRE_BANNER = [
  'import { createRequire as __lumiCreateRequire } from "node:module";',
  'const require = __lumiCreateRequire(import.meta.url);',
].join('\n');

/** CJS has no import.meta: point it at the bundle's own file, which is what ESM code means by it. */
export const CJS_IMPORT_META = {
  banner: {
    js: 'const __lumiImportMetaUrl = require("node:url").pathToFileURL(__filename).href;',
  },
  define: {
    'import.meta.url': '__lumiImportMetaUrl',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
};
