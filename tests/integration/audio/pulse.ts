/**
 * Real audio devices for the integration tests: a PulseAudio daemon with a null sink, started
 * by scripts/pulse-null.sh, whose monitor records what Lumi plays. On CI a missing sound server
 * fails the tests; locally they are skipped.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../scripts/pulse-null.sh', import.meta.url));
const ENV_KEYS = ['XDG_RUNTIME_DIR', 'PULSE_SERVER', 'ALSA_CONFIG_PATH'] as const;

export type PulseStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Starts (or reuses) the null-sink daemon and points this process at it. Call before anything
 * loads naudiodon: ALSA reads these variables when PortAudio initialises.
 */
export async function preparePulse(): Promise<PulseStatus> {
  try {
    const { stdout } = await run('bash', [
      '-c',
      `source "${SCRIPT}" >/dev/null && printf '%s\\n' ${ENV_KEYS.map((key) => `"$${key}"`).join(' ')}`,
    ]);
    const values = stdout.trim().split('\n');
    ENV_KEYS.forEach((key, i) => {
      const value = values[i];
      if (value) process.env[key] = value;
    });
    return { ok: true };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `PulseAudio null sink unavailable: ${detail}` };
  }
}

/**
 * Routes this process's default playback and recording to a null sink of its own, so parallel
 * test files (and anyone else on the daemon) neither hear nor disturb each other. Returns the
 * function that removes it.
 */
export async function usePrivateSink(): Promise<() => Promise<void>> {
  const name = `lumi_test_${process.pid}`;
  const unload = await loadNullSink(name);
  // libpulse (under ALSA's pulse plugin) opens these instead of the server's defaults.
  process.env.PULSE_SINK = name;
  process.env.PULSE_SOURCE = `${name}.monitor`;
  return unload;
}

/** Load a mono 48 kHz null sink named `name`; returns the function that removes it. */
export async function loadNullSink(name: string): Promise<() => Promise<void>> {
  const { stdout } = await run('pactl', [
    'load-module',
    'module-null-sink',
    `sink_name=${name}`,
    `sink_properties=device.description=${name}`,
    'rate=48000',
    'channels=1',
  ]);
  const moduleIndex = stdout.trim();
  return async () => {
    await run('pactl', ['unload-module', moduleIndex]);
  };
}

/** Skip locally without a sound server; on CI (process.env.CI) the tests run and fail. */
export function shouldSkipAudio(status: PulseStatus): boolean {
  return !status.ok && !process.env.CI;
}

/** Throws the reason audio is missing, so a CI run fails loudly instead of skipping. */
export function requireAudio(status: PulseStatus): void {
  if (!status.ok) throw new Error(status.reason);
}

export type StreamKind = 'sink-input' | 'source-output';

/** Kills this process's playback (or recording) stream inside PulseAudio, as an unplug would. */
export async function killOwnStream(kind: StreamKind): Promise<void> {
  await killStreamOf(process.pid, kind);
}

/** Kills the playback (or recording) stream of process `pid` inside PulseAudio. */
export async function killStreamOf(pid: number, kind: StreamKind): Promise<void> {
  const index = await streamOf(pid, kind);
  if (index === null) throw new Error(`no ${kind} of process ${pid} in PulseAudio`);
  await run('pacmd', [`kill-${kind}`, index]);
}

/** The index of process `pid`'s playback (or recording) stream, or null while it has none. */
export async function streamOf(pid: number, kind: StreamKind): Promise<string | null> {
  const { stdout } = await run('pactl', [
    'list',
    kind === 'sink-input' ? 'sink-inputs' : 'source-outputs',
  ]);
  const blocks = stdout.split(/\n(?=Sink Input #|Source Output #)/);
  const own = blocks.find((block) => block.includes(`application.process.id = "${pid}"`));
  return own?.match(/#(\d+)/)?.[1] ?? null;
}
