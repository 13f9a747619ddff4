/**
 * Footprint of the core in its own process (bench/probes/core-probe.ts, bundled) against the reference
 * server, through the real output device (PulseAudio; `source scripts/pulse-null.sh` first):
 * latency.first_audio, cpu.idle, cpu.tts_stream (a ~60 s reply) and rss.core.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startReferenceServer } from '../tests/fixtures/reference-server.ts';
import type { BenchResult } from './types.ts';

/** 20 sentences of the longest the server speaks (3 s each): a 60 s reply. */
const LONG_REPLY = Array.from({ length: 20 }, (_, i) => `第${i + 1}句：${'长'.repeat(36)}。`);

interface ProbeResult {
  idle: number;
  streaming: number;
  replySeconds: number;
  firstAudioMs: number | null;
  underruns: number;
  rssMb: number;
  idleRssMb: number;
  heapMb: number;
  externalMb: number;
}

export default async function run(): Promise<BenchResult[]> {
  const server = await startReferenceServer({ mcp: false, replyFor: () => LONG_REPLY });
  try {
    // Bundled like the shipped app: running the .ts source would add Node's type stripper
    // (~17 MB) to the figure.
    // Inside the project, so the native modules resolve from node_modules.
    const probe = fileURLToPath(new URL('../.cache/bench/core-probe.mjs', import.meta.url));
    await build({
      entryPoints: [fileURLToPath(new URL('./probes/core-probe.ts', import.meta.url))],
      outfile: probe,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      external: ['@discordjs/opus', 'naudiodon', '@alexanderolsen/libsamplerate-js'],
      banner: {
        js: "import { createRequire as __lumiCreateRequire } from 'node:module'; const require = __lumiCreateRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', probe, server.url], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`probe exited ${code}`)),
      );
    });
    const line = output.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(line) as ProbeResult;
    return [
      {
        name: 'latency.first_audio',
        value: result.firstAudioMs ?? Number.NaN,
        unit: 'ms',
        target: `≤ 120 (underruns: ${result.underruns})`,
      },
      { name: 'cpu.idle', value: result.idle, unit: '% core', target: '≤ 0.5' },
      {
        name: 'cpu.tts_stream',
        value: result.streaming,
        unit: '% core',
        target: `≤ 3 (reply ${Math.round(result.replySeconds)} s)`,
      },
      {
        name: 'rss.core',
        value: result.rssMb,
        unit: 'MB',
        target: `≤ 80 (connected, before audio: ${result.idleRssMb.toFixed(1)} MB; JS heap ${result.heapMb.toFixed(1)} MB)`,
      },
    ];
  } finally {
    await server.stop();
  }
}
