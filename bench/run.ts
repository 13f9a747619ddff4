/**
 * `npm run bench [-- --json] [-- --only <name-part>…]`: runs every bench/*.bench.ts in turn (or
 * those whose file name contains one of the `--only` parts; the option may repeat),
 * prints a table (or one JSON object per line with --json) and writes bench/results/latest.json.
 *
 * The bench prepares its own world: it builds dist/ when stale (scripts/ensure-built.mjs) and
 * starts the PulseAudio null sink the way `npm test` does (scripts/pulse-null.sh), adopting its
 * environment, so the device figures have a device. A figure that cannot be measured is an
 * error line and a non-zero exit, never a missing number. Every figure is the median of several
 * runs with their range; the machine it ran on is printed and recorded with the results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../scripts/ensure-built.mjs';
import { isFailure, type BenchOutcome, type BenchRun, type Spread } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const { values } = parseArgs({
  options: { json: { type: 'boolean' }, only: { type: 'string', multiple: true } },
  allowPositionals: false,
});
/** What the figures are worth depends on what they ran on. */
interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !values.only || values.only.some((part) => f.includes(part)))
  .sort();

// Progress and notes go to stderr with --json: stdout carries the JSON lines only.
const say = (line: string): void =>
  void (values.json ? process.stderr : process.stdout).write(`${line}\n`);

try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const machine = describeMachine();
say(
  `machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, ${machine.os}, Node ${machine.node}`,
);
if (files.length > 0) {
  const audioProblem = startAudio();
  if (audioProblem) say(`note: ${audioProblem}; the device figures will fail`);
}

const all: (BenchOutcome & { file: string })[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { default: BenchRun };
  say(`running ${file}…`);
  try {
    for (const outcome of await module.default()) {
      all.push({ ...outcome, file });
      if (values.json) process.stdout.write(`${JSON.stringify(outcome)}\n`);
      if (isFailure(outcome)) {
        process.stderr.write(`${outcome.name}: ERROR ${outcome.error}\n`);
        process.exitCode = 1;
      }
    }
  } catch (error) {
    process.stderr.write(
      `${file} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}

if (!values.json) printTable();

const out = join(here, 'results');
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, 'latest.json'),
  `${JSON.stringify({ at: new Date().toISOString(), machine, results: all }, null, 2)}\n`,
);

function printTable(): void {
  const rows = all.map((r) =>
    isFailure(r)
      ? [r.name, 'ERROR', '', '', '', r.error]
      : [
          r.name,
          `${round(r.value)} ${r.unit}`,
          r.spread ? range(r.spread) : '',
          r.baseline === undefined ? '' : `${round(r.baseline)} ${r.unit}`,
          r.ratio === undefined
            ? ''
            : `${round(r.ratio)}${r.ratioSpread ? ` (${range(r.ratioSpread)})` : ''}`,
          r.target ?? '',
        ],
  );
  const header = ['name', 'median', 'min–max (runs)', 'baseline', 'ratio (min–max)', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of rows) process.stdout.write(`${line(row).trimEnd()}\n`);
}

function range(spread: Spread): string {
  return `${round(spread.min)}–${round(spread.max)} (${spread.runs})`;
}

function round(n: number): number {
  return Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100;
}

function describeMachine(): Machine {
  const cpuinfo = readIfThere('/proc/cpuinfo');
  const osRelease = readIfThere('/etc/os-release');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim();
  const distribution = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1];
  return {
    cpu: model ?? process.arch,
    cores: availableParallelism(),
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${distribution ?? type()} (${type()} ${release()})`,
    node: process.versions.node,
  };
}

function readIfThere(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/**
 * Starts PulseAudio with its null sink (scripts/pulse-null.sh) and adopts its environment, as
 * scripts/test.mjs does; returns what went wrong, or null.
 */
function startAudio(): string | null {
  const script = join(root, 'scripts', 'pulse-null.sh');
  const run = spawnSync('bash', ['-c', `source "${script}" >&2 && env -0`], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) return `PulseAudio did not start: ${run.stderr.trim().split('\n').pop()}`;
  for (const entry of run.stdout.split('\0')) {
    const eq = entry.indexOf('=');
    const key = entry.slice(0, eq);
    if (key === 'PULSE_SERVER' || key === 'XDG_RUNTIME_DIR' || key === 'ALSA_CONFIG_PATH') {
      process.env[key] = entry.slice(eq + 1);
    }
  }
  return null;
}
