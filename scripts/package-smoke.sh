#!/usr/bin/env bash
# Packaging smoke test that runs offline: electron-builder packs the app for Linux against a
# stand-in Electron (a tiny file carrying a fuse wire, no real binary), then this checks that
# app.asar holds the built entry points, that the native addons were unpacked beside it, and
# that the afterPack hook flipped every fuse.
#   scripts/package-smoke.sh            build first (npm run build), then pack
#   SKIP_BUILD=1 scripts/package-smoke.sh   pack the dist/ that is there
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

ELECTRON_VERSION="$(node -p "require('electron/package.json').version")"
FAKE_DIST=.cache/fake-electron
OUT=.cache/package-smoke

fail() {
  echo "package-smoke: FAIL: $*" >&2
  exit 1
}

# The stand-in Electron: the files electron-builder copies, and an "electron" executable that
# holds the fuse sentinel followed by a version-1 wire of 9 fuses set the way Electron ships
# them (RunAsNode on, CookieEncryption off, NodeOptions on, Inspect on, AsarIntegrity off,
# OnlyLoadFromAsar off, V8Snapshot off, FileProtocol on, WasmTrapHandlers off).
make_fake_electron() {
  rm -rf "$FAKE_DIST"
  mkdir -p "$FAKE_DIST/resources" "$FAKE_DIST/locales"
  printf '#!/bin/sh\n# dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX\001\011101100010\n' > "$FAKE_DIST/electron"
  chmod +x "$FAKE_DIST/electron"
  echo "v$ELECTRON_VERSION" > "$FAKE_DIST/version"
  touch "$FAKE_DIST/LICENSE" "$FAKE_DIST/LICENSES.chromium.html"
}

if [ -z "${SKIP_BUILD:-}" ]; then
  node scripts/build.mjs
fi
for entry in dist/main/start.cjs dist/main/index.cjs dist/preload/index.cjs dist/renderer/index.html; do
  [ -f "$entry" ] || fail "$entry is missing; run npm run build"
done

make_fake_electron
rm -rf "$OUT"
electron-builder --linux --dir --publish never \
  -c.electronDist="$FAKE_DIST" \
  -c.electronVersion="$ELECTRON_VERSION" \
  -c.directories.output="$OUT"

APP="$OUT/linux-unpacked"
ASAR="$APP/resources/app.asar"
UNPACKED="$APP/resources/app.asar.unpacked"
[ -f "$ASAR" ] || fail "no $ASAR"
LISTING="$(asar list "$ASAR")"

expect_in_asar() {
  grep -qxF "$1" <<<"$LISTING" || fail "app.asar lacks $1"
}
expect_in_asar /dist/main/start.cjs
expect_in_asar /dist/main/index.cjs
expect_in_asar /dist/preload/index.cjs
expect_in_asar /dist/renderer/index.html
expect_in_asar /resources/icons/tray-ready-24.png
expect_in_asar /resources/icons/tray-readyTemplate.png
expect_in_asar /package.json
# The JavaScript that finds each addon's binary at run time.
expect_in_asar /node_modules/uiohook-napi/dist/index.js
expect_in_asar /node_modules/node-gyp-build/package.json
expect_in_asar /node_modules/@discordjs/node-pre-gyp/package.json
expect_in_asar /node_modules/naudiodon/package.json
if grep -q '\.map$' <<<"$LISTING"; then fail "source maps were packed"; fi

expect_unpacked() {
  compgen -G "$UNPACKED/$1" > /dev/null || fail "app.asar.unpacked lacks $1"
}
expect_unpacked "node_modules/@discordjs/opus/prebuild/electron-v*-napi-v3-linux-x64-*/opus.node"
expect_unpacked "native/opus/build/Release/lumi_opus.node"
expect_unpacked "node_modules/naudiodon/build/Release/naudiodon.node"
expect_unpacked "node_modules/naudiodon/build/Release/libportaudio.so.2"
expect_unpacked "node_modules/uiohook-napi/prebuilds/linux-x64/uiohook-napi.node"

# The packed package.json must point Electron at the main's entry (it loads the bundle).
MAIN="$(node -e "const asar = require('@electron/asar'); console.log(JSON.parse(asar.extractFile(process.argv[1], 'package.json')).main)" "$ASAR")"
[ "$MAIN" = "dist/main/start.cjs" ] || fail "packed package.json main is $MAIN"

node --input-type=module - "$APP/lumi" <<'JS'
import { FuseV1Options, FuseState, getCurrentFuseWire } from '@electron/fuses';
const wire = await getCurrentFuseWire(process.argv[2]);
const want = {
  RunAsNode: FuseState.DISABLE,
  EnableCookieEncryption: FuseState.ENABLE,
  EnableNodeOptionsEnvironmentVariable: FuseState.DISABLE,
  EnableNodeCliInspectArguments: FuseState.DISABLE,
  EnableEmbeddedAsarIntegrityValidation: FuseState.ENABLE,
  OnlyLoadAppFromAsar: FuseState.ENABLE,
  GrantFileProtocolExtraPrivileges: FuseState.DISABLE,
};
const wrong = Object.entries(want).filter(([name, state]) => wire[FuseV1Options[name]] !== state);
if (wrong.length > 0) {
  console.error(`package-smoke: FAIL: fuses not flipped: ${wrong.map(([n]) => n).join(', ')}`);
  process.exit(1);
}
JS

echo "package-smoke: ok ($APP)"
