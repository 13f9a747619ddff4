#!/usr/bin/env bash
# Static Electron security audit (doyensec electronegativity) over the main process, the
# preload and the renderer sources. The tool always exits 0, so this script reads its CSV and
# fails on any HIGH finding. Its last release predates Electron 45 and it is unmaintained:
# a baseline, not a guarantee (the checklist items it cannot see are unit-tested instead).
#   scripts/electronegativity.sh [report.csv]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

REPORT="${1:-.cache/electronegativity/report.csv}"
STAGE=.cache/electronegativity/src
ELECTRON_VERSION="$(node -p "require('electron/package.json').version")"

# The tool takes one input path: stage the three source trees (and package.json, for its
# version checks) side by side.
rm -rf "$STAGE"
mkdir -p "$STAGE/renderer" "$(dirname "$REPORT")"
cp -r main preload "$STAGE/"
cp -r renderer/src renderer/index.html renderer/camera.html "$STAGE/renderer/"
cp package.json "$STAGE/"

# Offline, the tool's translation download (got, 1 s timeout) keeps retrying after its promise
# has settled, and the retries' network errors (and p-cancelable's complaint about them) are
# thrown from timers, killing the run; this hook drops exactly those network errors. AvailableSecurityFixesGlobalCheck downloads Electron's release list, which cannot
# work offline either; tracking security releases is the dependency bot's job.
HOOK=.cache/electronegativity/offline-hook.cjs
cat > "$HOOK" <<'JS'
process.on('uncaughtException', (error) => {
  const message = String(error && error.message);
  if (error && error.name === 'RequestError') return;
  if (message.includes('handler was attached after the promise settled')) return;
  throw error;
});
JS
rm -f "$REPORT"
if ! node --require "./$HOOK" node_modules/@doyensec/electronegativity/dist/index.js \
  -i "$STAGE" -e "$ELECTRON_VERSION" -x AvailableSecurityFixesGlobalCheck \
  -r -v false -o "$REPORT" > "$REPORT.log" 2>&1; then
  cat "$REPORT.log" >&2
  echo "electronegativity: the tool failed" >&2
  exit 1
fi
[ -s "$REPORT" ] || { echo "electronegativity: no report written" >&2; exit 1; }

echo "electronegativity: findings by severity"
tail -n +2 "$REPORT" | awk -F, '{ print $2 }' | sort | uniq -c || true
if grep -q '"HIGH"\|,HIGH,' "$REPORT"; then
  echo "electronegativity: HIGH findings:" >&2
  grep '"HIGH"\|,HIGH,' "$REPORT" >&2
  exit 1
fi
echo "electronegativity: no HIGH findings ($REPORT)"
