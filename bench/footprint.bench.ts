/**
 * Footprint of the core in a process of its own against the reference server, through the real
 * output device (PulseAudio; `source scripts/pulse-null.sh` first). Two probes, bundled exactly
 * like the Electron main (CommonJS, scripts/bundle-options.mjs):
 * - bench/probes/core-probe.ts, the voice path (session, connection, codec, jitter buffer,
 *   speaker): latency.first_audio, cpu.idle, cpu.tts_stream (a ~60 s reply), rss.session;
 * - bench/probes/app-probe.ts, the whole core the Electron main and the browser preview host
 *   (settings, secrets, history, MCP tools, session, audio): rss.core.
 */
import { startReferenceServer } from '../tests/fixtures/reference-server.ts';
import { bundle, runProbe } from './probes/run-probe.ts';
import { fromRuns, median } from './stats.ts';
import type { BenchOutcome } from './types.ts';

/** 20 sentences of the longest the server speaks (3 s each): a 60 s reply. */
const LONG_REPLY = Array.from({ length: 20 }, (_, i) => `第${i + 1}句：${'长'.repeat(36)}。`);
const RSS_TARGET_MB = 80;

/**
 * Each probe plays a ~60 s reply; three runs of each keep the bench within minutes while
 * giving a median and a range.
 */
const RUNS = 3;
const NO_DEVICE =
  'no audio output device (the bench starts PulseAudio with scripts/pulse-null.sh; did it fail?)';

interface SessionProbeResult {
  outputDevice: string | null;
  /** Why there is no output device (naudiodon did not load, PortAudio lists none). */
  noDevice?: string;
  idle: number;
  streaming: number;
  /** % of a core per thread group while the reply plays (bench/probes/thread-cpu.ts). */
  threads: Record<string, number>;
  /** The PulseAudio daemon meanwhile, beside the process (not in `streaming`). */
  pulseDaemon: number | null;
  replySeconds: number;
  firstAudioMs: number | null;
  underruns: number;
  rssMb: number;
  idleRssMb: number;
  heapMb: number;
}

interface AppProbeResult {
  idleRssMb: number;
  rssMb: number;
  heapMb: number;
  replySeconds: number;
}

export default async function run(): Promise<BenchOutcome[]> {
  const [sessionProbe, appProbe] = await Promise.all([bundle('core-probe'), bundle('app-probe')]);
  const sessions: SessionProbeResult[] = [];
  const apps: AppProbeResult[] = [];
  for (let i = 0; i < RUNS; i++) {
    const quiet = await startReferenceServer({ mcp: false, replyFor: () => LONG_REPLY });
    try {
      sessions.push(await runProbe<SessionProbeResult>(sessionProbe, quiet.url));
    } finally {
      await quiet.stop();
    }
    if (sessions.some((session) => session.outputDevice === null)) break;
    // The whole core against a server that runs the MCP handshake, as the real ones do.
    const full = await startReferenceServer({ replyFor: () => LONG_REPLY });
    try {
      apps.push(await runProbe<AppProbeResult>(appProbe, full.url));
    } finally {
      await full.stop();
    }
  }
  const names = ['latency.first_audio', 'cpu.idle', 'cpu.tts_stream', 'rss.core', 'rss.session'];
  const missing = sessions.find((session) => session.outputDevice === null);
  if (missing) {
    return names.map((name) => ({ name, error: `${NO_DEVICE}: ${missing.noDevice ?? ''}` }));
  }
  const first = sessions.map((s) => s.firstAudioMs);
  const underruns = sessions.map((s) => s.underruns).join('/');
  const of = <T>(runs: T[], pick: (run: T) => number): number[] => runs.map(pick);
  const mb = (values: number[]): string => median(values).toFixed(1);
  return [
    first.every((ms) => ms !== null)
      ? fromRuns('latency.first_audio', 'ms', first, `≤ 120 (underruns: ${underruns})`)
      : { name: 'latency.first_audio', error: 'no sound reached the output device' },
    fromRuns(
      'cpu.idle',
      '% core',
      of(sessions, (s) => s.idle),
      '≤ 0.5',
    ),
    fromRuns(
      'cpu.tts_stream',
      '% core',
      of(sessions, (s) => s.streaming),
      `≤ 1.5 (reply ${Math.round(median(of(sessions, (s) => s.replySeconds)))} s, device ${sessions[0]?.outputDevice}; ${threadSplit(sessions)})`,
    ),
    fromRuns(
      'rss.core',
      'MB',
      of(apps, (a) => a.rssMb),
      `≤ ${RSS_TARGET_MB} (whole core; connected, before the reply: ${mb(of(apps, (a) => a.idleRssMb))} MB; JS heap ${mb(of(apps, (a) => a.heapMb))} MB)`,
    ),
    fromRuns(
      'rss.session',
      'MB',
      of(sessions, (s) => s.rssMb),
      `voice path alone (before the reply: ${mb(of(sessions, (s) => s.idleRssMb))} MB; JS heap ${mb(of(sessions, (s) => s.heapMb))} MB)`,
    ),
  ];
}

/**
 * Median % of a core per thread group, and the PulseAudio daemon's beside it. Groups: `main`
 * (Node's event loop: JS, Opus, sockets), `libuv-worker` (naudiodon's blocking writes),
 * `MainThread` (PortAudio's callback thread, which inherits the creator's name), `threaded-ml`
 * (PulseAudio's client loop under ALSA's pulse plugin), `V8Worker` (GC and compiler helpers).
 */
function threadSplit(sessions: readonly SessionProbeResult[]): string {
  const groups = [...new Set(sessions.flatMap((s) => Object.keys(s.threads)))];
  const split = groups
    .map((group) => ({ group, value: median(sessions.map((s) => s.threads[group] ?? 0)) }))
    .sort((a, b) => b.value - a.value)
    .map(({ group, value }) => `${group} ${value.toFixed(2)}`)
    .join(', ');
  const daemon = sessions.map((s) => s.pulseDaemon).filter((v): v is number => v !== null);
  return `threads: ${split}; pulseaudio daemon ${daemon.length ? median(daemon).toFixed(2) : 'n/a'}`;
}
