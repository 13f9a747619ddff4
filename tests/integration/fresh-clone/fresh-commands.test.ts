/**
 * The README's long-running commands in a tree without dist/, as a fresh clone is right after
 * `npm install`: `npm run dev-server` answers, `npm run preview:browser` builds first and then
 * serves the window bridged to that server, and `npm run bench` builds first too (the renderer
 * its UI benchmark loads) and only once: a fresh dist/ is left alone. The tree is a copy of
 * this checkout without dist/ (node_modules linked), so the checkout's own dist/ is neither
 * read nor touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_SCRIPT_PATH } from '../../../main/preview/bridge-protocol.ts';
import { loadRendererFiles } from '../../../main/preview/renderer-files.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Not part of a fresh clone: installed, built or written by runs. */
const NOT_CLONED = new Set([
  'node_modules',
  'dist',
  '.git',
  'release',
  '.cache',
  'test-results',
  'playwright-report',
  join('bench', 'results'),
]);
/** What `npm run build` prints through scripts/ensure-built.mjs before it builds. */
const BUILDING = /building first/;
/** The dev server and the preview start in a second or two, plus a build (~2 s) for the preview. */
const START_TIMEOUT_MS = 30_000;
/** Two bench runs, one with a build (~2 s alone, far longer on a busy 2-core machine). */
const BENCH_TIMEOUT_MS = 40_000;
/** Matches no bench/*.bench.ts file name. */
const NO_BENCHMARK = 'no-benchmark-is-called-this';
const STOP_TIMEOUT_MS = 5_000;

/** An npm script running in the copy, in a process group of its own so it can be stopped whole. */
class NpmRun {
  readonly #child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(cwd: string, script: string, args: readonly string[]) {
    this.#child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.#child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  /** The first match of `pattern` in stdout; rejects when the run exits or takes too long. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const match = pattern.exec(this.stdout);
      if (match) return match;
      if (exited || Date.now() > deadline) {
        throw new Error(`no ${pattern} (exited: ${exited})\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) {
      return;
    }
    process.kill(-pid, 'SIGTERM');
    const stopped = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS)),
    ]);
    if (!stopped) process.kill(-pid, 'SIGKILL');
  }
}

let tree = '';
let devServer: NpmRun | null = null;
let serverUrl = '';

beforeAll(async () => {
  tree = mkdtempSync(join(tmpdir(), 'lumi-fresh-'));
  cpSync(ROOT, tree, {
    recursive: true,
    filter: (source) => {
      const path = relative(ROOT, source);
      const [top] = path.split(sep);
      return !NOT_CLONED.has(top ?? '') && !NOT_CLONED.has(path);
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'));
  devServer = new NpmRun(tree, 'dev-server', ['--port', '0']);
  serverUrl = (await devServer.waitFor(/WebSocket\s+(ws:\/\/\S+)/, START_TIMEOUT_MS))[1]!;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await devServer?.stop();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('README commands in a tree without dist/', () => {
  it('npm run dev-server answers on its WebSocket port', async () => {
    const http = serverUrl.replace(/^ws:/, 'http:').replace(/\/xiaozhi\/v1\/$/, '/');
    const response = await fetch(http);
    expect(await response.text()).toContain('Server is running');
  });

  it(
    'npm run preview:browser builds the renderer first and serves the bridged window',
    async () => {
      rmSync(join(tree, 'dist'), { recursive: true, force: true });
      const preview = new NpmRun(tree, 'preview:browser', [
        '--url',
        serverUrl,
        '--port',
        '0',
        '--data-dir',
        join(tree, 'preview-data'),
      ]);
      try {
        const [, url] = await preview.waitFor(/Lumi preview: (http:\/\/\S+)/, START_TIMEOUT_MS);
        expect(preview.stderr).toMatch(BUILDING);
        expect(existsSync(join(tree, 'dist', 'renderer', 'index.html'))).toBe(true);
        const page = await (await fetch(url!)).text();
        expect(page).toContain(`<script src="${BRIDGE_SCRIPT_PATH}"></script>`);
      } finally {
        await preview.stop();
      }
    },
    START_TIMEOUT_MS + STOP_TIMEOUT_MS,
  );

  it(
    'npm run bench builds first, once, and the build is the renderer its UI benchmark loads',
    async () => {
      rmSync(join(tree, 'dist'), { recursive: true, force: true });
      const first = await runBench();
      expect(first.stderr).toMatch(BUILDING);
      // --json keeps stdout for the results: the build's own output went to stderr.
      expect(first.stdout).toBe('');
      // What ui.bench.ts's preview reads first; it threw "The renderer is not built" here.
      await expect(loadRendererFiles(join(tree, 'dist', 'renderer'))).resolves.toBeDefined();

      const second = await runBench();
      expect(second.stderr).not.toMatch(BUILDING);
    },
    BENCH_TIMEOUT_MS,
  );
});

/** The bench entry with a filter that matches no benchmark: the build step and the runner only. */
async function runBench(): Promise<NpmRun> {
  const bench = new NpmRun(tree, 'bench', ['--only', NO_BENCHMARK, '--json']);
  try {
    expect(await bench.exited, bench.stderr).toBe(0);
  } finally {
    await bench.stop();
  }
  return bench;
}
