/**
 * The core alone in its own process, for footprint figures: connects to the server at argv[2]
 * with the real speaker (through a spy on the output stream), then measures
 * - cpu.idle: % of one core while connected and idle;
 * - latency.first_audio: ms from the first reply frame's arrival to its first sample handed to
 *   the output stream (the server bursts 5 frames, then paces one per 60 ms);
 * - cpu.tts_stream: % of one core while the (long) reply plays;
 * - rss.core: MB resident after the reply.
 * Prints one JSON object.
 */
import { performance } from 'node:perf_hooks';
import type { IoStreamWrite } from 'naudiodon';
import { createSession } from '../../main/core/app/create-session.ts';
import { loadAudioBackend, type AudioBackend } from '../../main/core/audio/devices.ts';
import { ReplyDecoder } from '../../main/core/audio/opus-codec.ts';
import { SpeakerSink } from '../../main/core/audio/speaker-sink.ts';
import { describeProblem, problemOf } from '../../shared/problem-english.ts';
import type { SessionEvent } from '../../shared/session-events.ts';
import { pulseDaemonTicks, threadPercent, threadTicks, ticksPercent } from './thread-cpu.ts';

const IDLE_MS = 10_000;
const url = process.argv[2] ?? '';
if (!url) throw new Error('usage: core-probe.ts <ws-url>');

// One async function, not top-level await: the probe is bundled as CommonJS, like the
// Electron main.
async function main(): Promise<void> {
  let real: AudioBackend;
  try {
    real = await loadAudioBackend();
  } catch (error) {
    // The figures mean nothing without a device: say why there is none, measure nothing.
    report({ outputDevice: null, noDevice: describeProblem(problemOf(error)) });
    return;
  }
  // The figures below mean nothing without a device to play on: say which one, or that none.
  const outputDevice = real.getDevices().find((device) => device.maxOutputChannels > 0)?.name;
  if (!outputDevice) {
    report({ outputDevice: null, noDevice: 'PortAudio lists no output device' });
    return;
  }
  let firstWriteAt: number | null = null;
  const spy: AudioBackend = {
    getDevices: () => real.getDevices(),
    openInput: (options) => real.openInput(options),
    openOutput: (options) => {
      const stream = real.openOutput(options);
      const write = stream.write.bind(stream) as IoStreamWrite['write'];
      stream.write = ((chunk: Buffer, ...rest: never[]) => {
        if (firstWriteAt === null && replyStarted && hasSound(chunk))
          firstWriteAt = performance.now();
        return write(chunk, ...rest);
      }) as IoStreamWrite['write'];
      return stream;
    },
  };

  let replyStarted = false;
  let firstArrivalAt: number | null = null;
  const speaker = new SpeakerSink({ backend: spy });
  const session = createSession({
    url,
    token: null,
    deviceId: '02:4c:55:4d:49:0d',
    clientId: '0d0d0d0d-1e1e-4f4f-8a8a-9b9b9b9b9b9b',
    sink: speaker,
    decoderFactory: (rate) => new ReplyDecoder(rate),
  });
  session.connection.on('audio', () => {
    firstArrivalAt ??= performance.now();
  });

  const until = (accept: (e: SessionEvent) => boolean): Promise<void> =>
    new Promise((resolve) => {
      const off = session.onEvent((event) => {
        if (!accept(event)) return;
        off();
        resolve();
      });
    });

  session.connect();
  await until((e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  await new Promise((r) => setTimeout(r, 2_000));
  const idleStart = process.cpuUsage();
  const idleWall = performance.now();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = cpuPercent(idleStart, performance.now() - idleWall);
  (globalThis as { gc?: () => void }).gc?.();
  const idleRssMb = process.memoryUsage().rss / (1024 * 1024);

  const started = until((e) => e.type === 'assistantChanged' && e.next === 'speaking');
  const drained = until((e) => e.type === 'playbackDrained');
  speaker.warmUp();
  await new Promise((r) => setTimeout(r, 1_500));
  session.sendText('tell me a long story');
  await started;
  replyStarted = true;
  const streamStart = process.cpuUsage();
  const threadsStart = threadTicks();
  const pulseStart = pulseDaemonTicks();
  const streamWall = performance.now();
  await drained;
  const streamMs = performance.now() - streamWall;
  const streaming = cpuPercent(streamStart, streamMs);
  const threads = threadPercent(threadsStart, threadTicks(), streamMs);
  const pulseEnd = pulseDaemonTicks();
  const pulseDaemon =
    pulseStart === null || pulseEnd === null ? null : ticksPercent(pulseEnd - pulseStart, streamMs);
  const replySeconds = (performance.now() - streamWall) / 1000;
  const stats = speaker.stats;
  await session.close();
  // Let the collector run first (the probe starts with --expose-gc), so the figure is what the
  // core keeps, not garbage the reply left for the next collection.
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const memory = process.memoryUsage();
  const rssMb = memory.rss / (1024 * 1024);

  report({
    outputDevice,
    idle,
    streaming,
    threads,
    pulseDaemon,
    replySeconds,
    firstAudioMs:
      firstWriteAt !== null && firstArrivalAt !== null ? firstWriteAt - firstArrivalAt : null,
    underruns: stats.underruns,
    rssMb,
    idleRssMb,
    heapMb: memory.heapUsed / (1024 * 1024),
    externalMb: memory.external / (1024 * 1024),
  });
}

/** The probe's one JSON line, last on stdout (run-probe.ts reads it). */
function report(result: Record<string, unknown>): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

function cpuPercent(start: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(start);
  return ((used.user + used.system) / 1000 / wallMs) * 100;
}

function hasSound(chunk: Buffer): boolean {
  for (let i = 0; i + 1 < chunk.length; i += 2)
    if (Math.abs(chunk.readInt16LE(i)) > 64) return true;
  return false;
}
