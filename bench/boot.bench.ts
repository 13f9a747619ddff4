/**
 * core.boot: a fresh process, bundled like the Electron main (bench/probes/boot-probe.ts), from
 * its start to the app core ready to connect; the median of RUNS processes. Node's own start-up
 * is included, as the user waits for it too; the baseline is an empty Node process started the
 * same way, interleaved with the probe, so value − baseline is the core's own start.
 *
 * The Electron main starts through dist/main/start.cjs, which turns on V8's compile cache: every
 * start but the first loads compiled code instead of parsing the bundle. core.boot is that start
 * (the probe with NODE_COMPILE_CACHE, which does the same, the cache filled by the unmeasured
 * first start); core.boot.nocache the first start after an update, or with no writable cache.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundle, runProbe, runProbeWith } from './probes/run-probe.ts';
import { againstBaseline } from './stats.ts';
import type { BenchResult } from './types.ts';

const RUNS = 9;
/** A process that does nothing but report when its first line ran. */
const EMPTY_PROCESS = [
  '-e',
  'process.stdout.write(JSON.stringify({ readyMs: performance.now() }))',
];

interface BootProbeResult {
  readyMs: number;
  nativeAddons: string[];
}

/** The probe's compile cache, as start.cjs keeps one in the user-data folder. */
const COMPILE_CACHE_DIR = fileURLToPath(new URL('../.cache/bench/compile-cache', import.meta.url));

export default async function run(): Promise<BenchResult[]> {
  const probe = await bundle('boot-probe');
  rmSync(COMPILE_CACHE_DIR, { recursive: true, force: true });
  const cached = { NODE_COMPILE_CACHE: COMPILE_CACHE_DIR };
  const boots: BootProbeResult[] = [];
  const uncached: number[] = [];
  const empty: number[] = [];
  // One unmeasured start first: the disk cache then holds the bundle and the addons, as it does
  // for every start of the app but the very first after a reboot, and V8's cache its code.
  await runProbeWith<BootProbeResult>(cached, probe);
  for (let i = 0; i < RUNS; i++) {
    boots.push(await runProbeWith<BootProbeResult>(cached, probe));
    empty.push((await runProbe<{ readyMs: number }>(...EMPTY_PROCESS)).readyMs);
    uncached.push((await runProbe<BootProbeResult>(probe)).readyMs);
  }
  const addons = boots[0]?.nativeAddons ?? [];
  return [
    againstBaseline(
      'core.boot',
      'ms',
      boots.map((boot) => boot.readyMs),
      empty,
      `≤ 150 (native addons loaded at start: ${addons.length === 0 ? 'none' : addons.join(', ')})`,
    ),
    againstBaseline('core.boot.nocache', 'ms', uncached, empty, 'without V8 compile cache'),
  ];
}
