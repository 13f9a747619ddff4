/**
 * core.boot: a fresh process, bundled like the Electron main (bench/probes/boot-probe.ts), from
 * its start to the app core ready to connect; the median of RUNS processes. Node's own start-up
 * is included, as the user waits for it too; the baseline is an empty Node process started the
 * same way, interleaved with the probe, so value − baseline is the core's own start.
 */
import { bundle, runProbe } from './probes/run-probe.ts';
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

export default async function run(): Promise<BenchResult[]> {
  const probe = await bundle('boot-probe');
  const boots: BootProbeResult[] = [];
  const empty: number[] = [];
  // One unmeasured start first: the disk cache then holds the bundle and the addons, as it does
  // for every start of the app but the very first after a reboot.
  await runProbe<BootProbeResult>(probe);
  for (let i = 0; i < RUNS; i++) {
    boots.push(await runProbe<BootProbeResult>(probe));
    empty.push((await runProbe<{ readyMs: number }>(...EMPTY_PROCESS)).readyMs);
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
  ];
}
