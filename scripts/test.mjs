#!/usr/bin/env node
// `npm test`: type-check, lint, build, then every test tier (unit, integration on real audio
// devices, dom, end-to-end in Chromium, packaging smoke, static security audit), and one
// closing line `N passed, N failed` that counts them all. Runs under the project's Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const results = join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`npm test needs Node 24 (running ${process.versions.node}); run it through npm.`);
  process.exit(1);
}

/** Start PulseAudio with a null sink (scripts/pulse-null.sh) and adopt its environment. */
function startAudio() {
  const script = join(root, 'scripts', 'pulse-null.sh');
  if (!existsSync(script)) return 'no scripts/pulse-null.sh';
  const run = spawnSync('bash', ['-c', `source "${script}" >&2 && env -0`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) return `PulseAudio did not start: ${run.stderr.trim().split('\n').pop()}`;
  for (const entry of run.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    if (key === 'PULSE_SERVER' || key === 'XDG_RUNTIME_DIR' || key === 'ALSA_CONFIG_PATH') {
      process.env[key] = entry.slice(eq + 1);
    }
  }
  return null;
}

const tiers = [];

function record(name, passed, failed, note = '') {
  tiers.push({ name, passed, failed, note });
  const mark = failed === 0 ? 'ok  ' : 'FAIL';
  console.log(
    `\n[${mark}] ${name}: ${passed} passed, ${failed} failed${note ? ` (${note})` : ''}\n`,
  );
}

function run(command, args, extraEnv = {}) {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...extraEnv },
  });
  return result.status === 0;
}

/** A step that is one check: it passes or fails as a whole. */
function check(name, command, args) {
  const ok = run(command, args);
  record(name, ok ? 1 : 0, ok ? 0 : 1);
  return ok;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

const audioProblem = startAudio();
if (audioProblem) console.log(`note: ${audioProblem}`);

check('typecheck', 'npm', ['run', '--silent', 'typecheck']);
check('lint', 'npm', ['run', '--silent', 'lint']);
const built = check('build', 'npm', ['run', '--silent', 'build']);

// Unit, integration (real ws server, real Opus, real audio devices) and DOM tests.
{
  const out = join(results, 'vitest.json');
  const ok = run('npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${out}`,
  ]);
  const report = readJson(out);
  if (report) {
    const failed = report.numFailedTests + (ok || report.numFailedTests > 0 ? 0 : 1);
    record('vitest (unit, integration, dom)', report.numPassedTests, failed);
  } else {
    record('vitest (unit, integration, dom)', 0, 1, 'no report');
  }
}

// End-to-end: the real renderer in Debian's Chromium against the browser preview.
if (existsSync(join(root, 'playwright.config.ts'))) {
  const out = join(results, 'playwright.json');
  const ok = built && run('npx', ['playwright', 'test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: out });
  const report = readJson(out);
  if (report?.stats) {
    const passed = report.stats.expected + report.stats.flaky;
    const failed = report.stats.unexpected + (ok || report.stats.unexpected > 0 ? 0 : 1);
    record('playwright (e2e)', passed, failed);
  } else {
    record('playwright (e2e)', 0, 1, built ? 'no report' : 'build failed');
  }
}

if (existsSync(join(root, 'scripts', 'electronegativity.sh'))) {
  check('electronegativity (no HIGH findings)', 'bash', ['scripts/electronegativity.sh']);
}

const passed = tiers.reduce((n, t) => n + t.passed, 0);
const failed = tiers.reduce((n, t) => n + t.failed, 0);
console.log('\nSummary');
for (const t of tiers)
  console.log(
    `  ${t.failed === 0 ? 'ok  ' : 'FAIL'} ${t.name}: ${t.passed}/${t.passed + t.failed}`,
  );
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
