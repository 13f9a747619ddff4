/**
 * Real hold-to-talk: a real X server (Xvfb), the real uiohook-napi hook and Lumi's hotkey
 * service in a child Node process, and xdotool pressing F8 through XTest. Skipped on a
 * developer machine without Xvfb/xdotool; fails in CI, where they must be installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./hold-probe.ts', import.meta.url));
/** Xvfb needs a moment to create its socket; the hook needs one to attach. */
const START_TIMEOUT_MS = 10_000;
const EVENT_TIMEOUT_MS = 5_000;
/** Longer than the double-tap window, so scenarios do not pair with each other. */
const SETTLE_MS = 700;
/** Long enough for the X server's auto-repeat to start (its default delay is 660 ms). */
const AUTO_REPEAT_HOLD_MS = 1_500;

const missing = ['Xvfb', 'xdotool'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);
const inCi = Boolean(process.env.CI);

interface ProbeLine {
  ready?: boolean;
  unavailable?: string;
  raw?: 'down' | 'up';
  gesture?: string;
}

let xvfb: ChildProcess | null = null;
let probe: ChildProcess | null = null;
let display = '';
const lines: ProbeLine[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate: () => boolean, what: string, timeoutMs = EVENT_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(lines)}`);
    await sleep(20);
  }
}

function xdotool(...args: string[]): void {
  const result = spawnSync('xdotool', args, { env: { ...process.env, DISPLAY: display } });
  if (result.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${String(result.stderr)}`);
}

/** Gestures seen since `from` (an index into `lines`). */
function gesturesSince(from: number): string[] {
  return lines.slice(from).flatMap((l) => (l.gesture ? [l.gesture] : []));
}

/** Starts Xvfb on a display it picks itself (-displayfd), returning ":N". */
async function startXvfb(): Promise<string> {
  const server = spawn(
    'Xvfb',
    ['-displayfd', '1', '-screen', '0', '640x480x24', '-nolisten', 'tcp'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  xvfb = server;
  const number = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('Xvfb did not report a display')),
      START_TIMEOUT_MS,
    );
    server.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim());
    });
    server.once('exit', (code) => reject(new Error(`Xvfb exited with ${String(code)}`)));
  });
  return `:${number}`;
}

describe.skipIf(missing.length > 0 && !inCi)('hold-to-talk under a real X display', () => {
  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI must provide ${missing.join(' and ')}`);
    display = await startXvfb();
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', PROBE], {
      env: { ...process.env, DISPLAY: display, XDG_SESSION_TYPE: 'x11', WAYLAND_DISPLAY: '' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    probe = child;
    if (!child.stdout) throw new Error('probe has no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line) as ProbeLine);
    });
    await waitFor(
      () => lines.some((l) => l.ready || l.unavailable),
      'the probe to start',
      START_TIMEOUT_MS,
    );
    expect(lines.find((l) => l.unavailable)?.unavailable).toBeUndefined();
  }, 20_000);

  afterAll(async () => {
    if (probe && probe.exitCode === null) {
      const exited = new Promise((resolve) => probe?.once('exit', resolve));
      probe.stdin?.end();
      await Promise.race([exited, sleep(2_000)]);
      if (probe.exitCode === null) probe.kill('SIGKILL');
    }
    if (xvfb && xvfb.exitCode === null) {
      const exited = new Promise((resolve) => xvfb?.once('exit', resolve));
      xvfb.kill('SIGTERM');
      await Promise.race([exited, sleep(2_000)]);
    }
  });

  it('holding F8 starts push-to-talk on down and ends it on up', async () => {
    const from = lines.length;
    xdotool('keydown', 'F8');
    await sleep(500);
    xdotool('keyup', 'F8');
    await waitFor(() => gesturesSince(from).length >= 2, 'hold gestures');
    expect(gesturesSince(from)).toEqual(['holdStarted', 'holdEnded']);
    await sleep(SETTLE_MS);
  });

  it('a double tap of F8 latches hands-free', async () => {
    const from = lines.length;
    xdotool('key', 'F8');
    await sleep(100);
    xdotool('key', 'F8');
    await waitFor(() => gesturesSince(from).length >= 1, 'a double tap');
    await sleep(SETTLE_MS);
    expect(gesturesSince(from)).toEqual(['doubleTapped']);
  });

  it('a single short tap does nothing', async () => {
    const from = lines.length;
    xdotool('key', 'F8');
    await waitFor(() => lines.slice(from).some((l) => l.raw === 'up'), 'the tap to arrive');
    await sleep(SETTLE_MS);
    expect(gesturesSince(from)).toEqual([]);
  });

  it('ignores auto-repeat: repeated key-downs while held make one hold', async () => {
    const from = lines.length;
    xdotool('keydown', 'F8');
    // Held past Xvfb's XKB auto-repeat delay (660 ms, then 25 Hz), the server itself sends
    // repeated key-downs, as a real keyboard does; the extra xdotool presses add to them.
    for (let i = 0; i < 5; i++) {
      await sleep(AUTO_REPEAT_HOLD_MS / 5);
      xdotool('keydown', 'F8');
    }
    xdotool('keyup', 'F8');
    await waitFor(() => gesturesSince(from).length >= 2, 'hold gestures');
    await sleep(SETTLE_MS);
    const rawDowns = lines.slice(from).filter((l) => l.raw === 'down').length;
    // The hook did deliver the repeats; the detector is what ignored them.
    expect(rawDowns).toBeGreaterThan(1);
    expect(gesturesSince(from)).toEqual(['holdStarted', 'holdEnded']);
  });
});
