/**
 * Audio devices pulled away under the real `lumi-cli` (main/cli.ts in a child process, real
 * PulseAudio null sink, the reference server): a playback or recording stream killed inside
 * PulseAudio (`pacmd kill-sink-input`, as an unplug would) is an error event on stdout, and the
 * CLI still ends on `--timeout` and on `/quit`; with device audio, `--json` stdout is JSON lines
 * only (naudiodon prints banners on the native stdout).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  killStreamOf,
  preparePulse,
  requireAudio,
  shouldSkipAudio,
  streamOf,
  usePrivateSink,
  type StreamKind,
} from '../audio/pulse.ts';

const CLI = fileURLToPath(new URL('../../../main/cli.ts', import.meta.url));
const pulse = await preparePulse();
/** Three sentences of 3 s of audio each (the reference server's cap per sentence). */
const LONG_REPLY = [
  '这是一个很长的回答，'.repeat(4),
  '第二句也很长，'.repeat(6),
  '第三句。'.repeat(10),
];
/** A text answered with one short sentence. */
const SHORT = '短';
/** The watchdog notices a dead stream within ~1 s; allow for a loaded machine. */
const ERROR_WITHIN_MS = 8_000;
/** Closing everything after the last event: ~0.2 s normally, generous on a loaded machine. */
const EXIT_GRACE_MS = 6_000;

type CliEvent = Record<string, unknown>;

interface Exit {
  readonly code: number | null;
  /** From spawn to exit. */
  readonly elapsedMs: number;
}

/** The CLI in a child process, its stdout read as JSON lines as they come. */
class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly startedAt = Date.now();
  readonly events: CliEvent[] = [];
  /** stdout lines that are not JSON objects (native banners, say). */
  readonly strayLines: string[] = [];
  stderr = '';
  readonly #waiters = new Set<() => void>();
  readonly #exited: Promise<Exit>;
  #partial = '';

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], {
      env: { ...process.env },
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.#onStdout(chunk.toString()));
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.#exited = new Promise((resolve) =>
      this.child.on('exit', (code) => resolve({ code, elapsedMs: Date.now() - this.startedAt })),
    );
  }

  /** The first event (past or future) matching `predicate`. */
  async event(predicate: (event: CliEvent) => boolean, ms = ERROR_WITHIN_MS): Promise<CliEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such event within ${ms} ms\n${this.log()}`);
      await new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves at exit; a CLI still running after `ms` is killed and the test fails. */
  async exit(ms: number): Promise<Exit> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    const exit = await this.#exited;
    clearTimeout(timer);
    if (exit.code === null) throw new Error(`lumi-cli did not exit within ${ms} ms\n${this.log()}`);
    return exit;
  }

  /** Waits until this process has a playback (or recording) stream, then kills it. */
  async killStream(kind: StreamKind): Promise<void> {
    const deadline = Date.now() + ERROR_WITHIN_MS;
    while ((await streamOf(this.child.pid ?? -1, kind)) === null) {
      if (Date.now() > deadline) throw new Error(`the CLI opened no ${kind}\n${this.log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Let the stream run a moment, so it dies mid-flow rather than while opening.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await killStreamOf(this.child.pid ?? -1, kind);
  }

  log(): string {
    return `stdout events: ${JSON.stringify(this.events)}\nstray: ${JSON.stringify(this.strayLines)}\nstderr: ${this.stderr}`;
  }

  #onStdout(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      let value: unknown = null;
      try {
        value = JSON.parse(line);
      } catch {
        // kept below as a stray line
      }
      if (typeof value === 'object' && value !== null) this.events.push(value as CliEvent);
      else this.strayLines.push(line);
    }
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }
}

const isDeviceError = (direction: 'input' | 'output') => (event: CliEvent) =>
  event.event === 'error' && event.direction === direction;

describe.skipIf(shouldSkipAudio(pulse))(
  'audio faults under lumi-cli (PulseAudio null sink)',
  () => {
    let removeSink: () => Promise<void> = async () => undefined;
    let server: ReferenceServer | null = null;
    const running: CliProcess[] = [];

    beforeAll(async () => {
      requireAudio(pulse);
      // The CLI inherits PULSE_SINK / PULSE_SOURCE: its streams go to a sink of this file's own.
      removeSink = await usePrivateSink();
    });

    afterAll(async () => {
      await removeSink();
    });

    afterEach(async () => {
      for (const cli of running.splice(0)) cli.child.kill('SIGKILL');
      await server?.stop();
      server = null;
    });

    async function start(args: readonly string[]): Promise<CliProcess> {
      server ??= await startReferenceServer({
        replyFor: (text) => (text === SHORT ? ['好的。'] : LONG_REPLY),
      });
      const configDir = mkdtempSync(join(tmpdir(), 'lumi-audio-'));
      const cli = new CliProcess([
        '--url',
        server.url,
        '--json',
        '--config-dir',
        configDir,
        ...args,
      ]);
      running.push(cli);
      return cli;
    }

    it('reports a speaker killed mid-reply and still ends on --timeout', async () => {
      const timeoutSeconds = 6;
      const cli = await start(['--text', '你好', '--audio-out', 'device', '--timeout', '6']);
      await cli.event((event) => event.event === 'sentence');
      await cli.killStream('sink-input');

      const error = await cli.event(isDeviceError('output'));
      expect(error).toMatchObject({ code: 'deviceStalled', device: 'default' });
      // The reply's audio lasts ~9 s: the run can only end by its timeout, with the reply
      // unfinished — exit 5, a `--text` without a whole reply.
      const exit = await cli.exit(timeoutSeconds * 1000 + EXIT_GRACE_MS);
      expect(exit.code).toBe(5);
      expect(exit.elapsedMs).toBeLessThan(timeoutSeconds * 1000 + EXIT_GRACE_MS);
      expect(cli.strayLines).toEqual([]);
    });

    it('leaves on /quit after the speaker was killed mid-reply', async () => {
      const cli = await start(['--audio-out', 'device', '--timeout', '60']);
      cli.send('你好');
      await cli.event((event) => event.event === 'sentence');
      await cli.killStream('sink-input');
      await cli.event(isDeviceError('output'));

      const quitAt = Date.now();
      cli.send('/quit');
      const exit = await cli.exit(EXIT_GRACE_MS);
      expect(exit.code).toBe(0);
      expect(Date.now() - quitAt).toBeLessThan(EXIT_GRACE_MS);
      expect(cli.strayLines).toEqual([]);
    });

    it('reports a microphone killed mid-press and records again on the next press', async () => {
      const cli = await start(['--audio-out', 'none', '--mode', 'manual', '--timeout', '60']);
      await cli.event((event) => event.connection === 'ready');
      cli.send('');
      await cli.killStream('source-output');
      // Stalled, or silent when PulseAudio had not delivered the first audio yet (a loaded machine).
      const error = await cli.event(isDeviceError('input'));
      expect(['deviceStalled', 'deviceSilent']).toContain(error.code);

      // The next press opens the microphone again; the server hears it and transcribes it.
      cli.send('');
      while ((await streamOf(cli.child.pid ?? -1, 'source-output')) === null) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // PulseAudio starts a capture 0.2–1 s after it opens, later on a loaded machine.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      cli.send('');
      const stt = await cli.event((event) => event.event === 'stt');
      expect(String(stt.text)).toMatch(/^我听到了 \d+ 毫秒的语音$/);

      cli.send('/quit');
      expect((await cli.exit(EXIT_GRACE_MS)).code).toBe(0);
      expect(cli.strayLines).toEqual([]);
    });

    it('prints only JSON lines on stdout with device audio', async () => {
      const cli = await start(['--text', SHORT, '--audio-out', 'device', '--timeout', '30']);
      const exit = await cli.exit(30_000 + EXIT_GRACE_MS);

      expect(exit.code).toBe(0);
      expect(cli.events.some((event) => event.event === 'playback_drained')).toBe(true);
      expect(cli.strayLines).toEqual([]);
    });
  },
);
