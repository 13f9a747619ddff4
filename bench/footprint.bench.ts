/**
 * Footprint of the core in a process of its own against the reference server, through the real
 * output device (PulseAudio; `source scripts/pulse-null.sh` first). Two probes, bundled exactly
 * like the Electron main (CommonJS, scripts/bundle-options.mjs):
 * - bench/probes/core-probe.ts, the voice path (session, connection, codec, jitter buffer,
 *   speaker): latency.first_audio, cpu.idle, cpu.tts_stream (a ~60 s reply), rss.session;
 * - bench/probes/app-probe.ts, the whole core the Electron main and the browser preview host
 *   (settings, secrets, history, MCP tools, session, audio): rss.core.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CJS_IMPORT_META, NODE_EXTERNAL, NODE_SOURCE_OPTIONS } from '../scripts/bundle-options.mjs';
import { startReferenceServer } from '../tests/fixtures/reference-server.ts';
import type { BenchResult } from './types.ts';

/** 20 sentences of the longest the server speaks (3 s each): a 60 s reply. */
const LONG_REPLY = Array.from({ length: 20 }, (_, i) => `第${i + 1}句：${'长'.repeat(36)}。`);
const RSS_TARGET_MB = 80;

interface SessionProbeResult {
  idle: number;
  streaming: number;
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

/** Bundles a probe (inside the project, so the external modules resolve from node_modules). */
async function bundle(name: string): Promise<string> {
  const outfile = fileURLToPath(new URL(`../.cache/bench/${name}.cjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL(`./probes/${name}.ts`, import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    external: NODE_EXTERNAL,
    ...NODE_SOURCE_OPTIONS,
    ...CJS_IMPORT_META,
    logLevel: 'error',
  });
  return outfile;
}

/** Runs a bundled probe against `url` and parses the JSON line it prints last. */
function runProbe<T>(probe: string, url: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', probe, url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`${probe} exited ${code}`));
        return;
      }
      resolve(JSON.parse(text.trim().split('\n').at(-1) ?? '') as T);
    });
  });
}

export default async function run(): Promise<BenchResult[]> {
  const [sessionProbe, appProbe] = await Promise.all([bundle('core-probe'), bundle('app-probe')]);
  const quiet = await startReferenceServer({ mcp: false, replyFor: () => LONG_REPLY });
  let session: SessionProbeResult;
  try {
    session = await runProbe<SessionProbeResult>(sessionProbe, quiet.url);
  } finally {
    await quiet.stop();
  }
  // The whole core against a server that runs the MCP handshake, as the real ones do.
  const full = await startReferenceServer({ replyFor: () => LONG_REPLY });
  let app: AppProbeResult;
  try {
    app = await runProbe<AppProbeResult>(appProbe, full.url);
  } finally {
    await full.stop();
  }
  return [
    {
      name: 'latency.first_audio',
      value: session.firstAudioMs ?? Number.NaN,
      unit: 'ms',
      target: `≤ 120 (underruns: ${session.underruns})`,
    },
    { name: 'cpu.idle', value: session.idle, unit: '% core', target: '≤ 0.5' },
    {
      name: 'cpu.tts_stream',
      value: session.streaming,
      unit: '% core',
      target: `≤ 3 (reply ${Math.round(session.replySeconds)} s)`,
    },
    {
      name: 'rss.core',
      value: app.rssMb,
      unit: 'MB',
      target: `≤ ${RSS_TARGET_MB} (whole core; connected, before the reply: ${app.idleRssMb.toFixed(1)} MB; JS heap ${app.heapMb.toFixed(1)} MB)`,
    },
    {
      name: 'rss.session',
      value: session.rssMb,
      unit: 'MB',
      target: `voice path alone (before the reply: ${session.idleRssMb.toFixed(1)} MB; JS heap ${session.heapMb.toFixed(1)} MB)`,
    },
  ];
}
