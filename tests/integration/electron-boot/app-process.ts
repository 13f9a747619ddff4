/**
 * Runs the built Electron main (dist/main/start.cjs, which loads index.cjs) as a plain Node 24
 * process with the fake Electron of fake-electron.ts, and talks to it over the control channel
 * of boot-protocol.ts.
 *
 * The app runs from a private copy of dist/ (with resources/ and node_modules/ linked in),
 * because `npm run build` empties dist/ first and other test files may build while this one
 * runs. The copy is built first when dist/ is missing or older than the sources.
 */
import { fork, type ChildProcess } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEvent, IpcChannel, IpcRequest, IpcResponse } from '../../../shared/ipc.ts';
import { EVENT_CHANNEL } from '../../../shared/ipc.ts';
import {
  FAKE_ENV,
  type BootRecord,
  type ChildMessage,
  type ControlRequest,
  type ControlReply,
  type FetchedResponse,
} from './boot-protocol.ts';
import { allBuilt, build, buildIsStale, BUILD_OUTPUTS } from '../../../scripts/ensure-built.mjs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const HOOK = fileURLToPath(new URL('./electron-hook.ts', import.meta.url));
/** The built files the app needs; a copy missing any of them was taken mid-build. */
const BUILT = BUILD_OUTPUTS;
/** esbuild writes this line last: a bundle without it is still being written. */
const BUNDLE_END = '//# sourceMappingURL=index.cjs.map';
/** How long a concurrent build may hold dist/ half written before the copy gives up. */
const COPY_WAIT_MS = 30_000;
const COPY_POLL_MS = 500;
/** The app's output kept for failure messages. */
const MAX_OUTPUT_CHARS = 20_000;
/** After a kill, how long to wait for the process to be gone. */
const KILL_WAIT_MS = 5_000;

function copyBuilt(appDir: string): void {
  rmSync(path.join(appDir, 'dist'), { recursive: true, force: true });
  for (const dir of ['dist/main', 'dist/preload', 'dist/renderer']) {
    cpSync(path.join(ROOT, dir), path.join(appDir, dir), { recursive: true });
  }
  for (const file of BUILT) {
    if (!existsSync(path.join(appDir, file))) throw new Error(`${file} is missing`);
  }
  const bundle = readFileSync(path.join(appDir, BUILT[0]!), 'utf8');
  if (!bundle.trimEnd().endsWith(BUNDLE_END)) throw new Error('the bundle is half written');
}

/** A private, runnable copy of the built app. */
export interface PreparedApp {
  /** What `app.getAppPath()` answers: package.json, dist/, resources/, native/, node_modules/. */
  readonly appDir: string;
  /** Removes the copy and every launch's data. */
  dispose(): void;
}

/**
 * Builds when dist/ is missing or stale. A dist/ that exists but lacks files is most likely
 * being written by a build elsewhere (another test file): that one is waited for first.
 */
async function ensureBuilt(): Promise<void> {
  const deadline = Date.now() + COPY_WAIT_MS;
  while (existsSync(path.join(ROOT, 'dist')) && !allBuilt(ROOT) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, COPY_POLL_MS));
  }
  if (buildIsStale(ROOT)) build(ROOT, { quiet: true });
}

/** Builds if needed and copies the app aside (see the file comment). */
export async function prepareApp(): Promise<PreparedApp> {
  await ensureBuilt();
  const base = mkdtempSync(path.join(tmpdir(), 'lumi-boot-'));
  const appDir = path.join(base, 'app');
  mkdirSync(appDir);
  cpSync(path.join(ROOT, 'package.json'), path.join(appDir, 'package.json'));
  symlinkSync(path.join(ROOT, 'resources'), path.join(appDir, 'resources'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'));
  // Lumi's own Opus binding (native/opus/build), shipped beside dist/ as the package ships it.
  symlinkSync(path.join(ROOT, 'native'), path.join(appDir, 'native'));
  const deadline = Date.now() + COPY_WAIT_MS;
  for (;;) {
    try {
      copyBuilt(appDir);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        rmSync(base, { recursive: true, force: true });
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, COPY_POLL_MS));
    }
  }
  return { appDir, dispose: () => rmSync(base, { recursive: true, force: true }) };
}

export interface LaunchOptions {
  /** Command-line flags after the script, as a launch by hand or by the desktop passes them. */
  readonly flags?: readonly string[];
  /** Another instance holds the single-instance lock. */
  readonly lockHeld?: boolean;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One running app process. */
export class AppProcess {
  readonly userData: string;
  /** Every `lumi:event` the app sent to the window, in order. */
  readonly events: AppEvent[] = [];
  /** Every `webContents.send`, any channel. */
  readonly sent: { channel: string; payload: unknown }[] = [];
  /** The URL of the first page a window showed; rejects when the app exits before. */
  readonly loaded: Promise<string>;
  readonly exited: Promise<Exit>;
  /** What Electron had been asked to do when the app quit, once it has. */
  quitRecord: BootRecord | null = null;
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: ControlReply) => void>();
  readonly #eventWaiters = new Set<() => void>();
  #nextId = 1;
  #output = '';
  #exit: Exit | null = null;

  constructor(appDir: string, options: LaunchOptions = {}) {
    const home = mkdtempSync(path.join(path.dirname(appDir), 'home-'));
    this.userData = path.join(home, '.config', 'Lumi');
    mkdirSync(this.userData, { recursive: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [FAKE_ENV.appPath]: appDir,
      [FAKE_ENV.userData]: this.userData,
      [FAKE_ENV.home]: home,
      [FAKE_ENV.lockHeld]: options.lockHeld ? '1' : '0',
      // Start at login writes its XDG entry here, never into the real user's config.
      XDG_CONFIG_HOME: path.join(home, '.config'),
    };
    // No display: the native keyboard hook stays unloaded (it would watch the real keyboard).
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    delete env.XDG_SESSION_TYPE;
    this.#child = fork(path.join(appDir, 'dist', 'main', 'start.cjs'), [...(options.flags ?? [])], {
      cwd: appDir,
      env,
      execArgv: ['--disable-warning=ExperimentalWarning', '--import', HOOK],
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
    };
    this.#child.stdout?.on('data', keep);
    this.#child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.#child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        for (const settle of this.#pending.values()) {
          settle({ ok: false, error: `the app exited (${code ?? signal}) ${this.diagnostics()}` });
        }
        this.#pending.clear();
        for (const wake of this.#eventWaiters) wake();
        resolve(this.#exit);
      });
    });
    this.loaded = new Promise((resolve, reject) => {
      this.#child.on('message', (message: ChildMessage) => {
        if (message.kind === 'loaded') resolve(message.url);
        this.#receive(message);
      });
      void this.exited.then((exit) =>
        reject(new Error(`the app exited (${exit.code ?? exit.signal}) ${this.diagnostics()}`)),
      );
    });
    // Launches that quit at once never load; nobody awaits `loaded` then.
    this.loaded.catch(() => undefined);
  }

  get exit(): Exit | null {
    return this.#exit;
  }

  /** What the app printed (stdout and stderr), the last 20 000 characters. */
  get output(): string {
    return this.#output;
  }

  /** The app's own output and log, for failure messages. */
  diagnostics(): string {
    let log: string;
    try {
      log = readFileSync(path.join(this.userData, 'logs', 'electron.log'), 'utf8');
    } catch {
      log = '(no electron.log)';
    }
    return `\n--- output ---\n${this.#output}\n--- electron.log ---\n${log}`;
  }

  /** Asks the fake Electron; rejects with its error. */
  request(request: ControlRequest): Promise<unknown> {
    if (this.#exit) return Promise.reject(new Error(`the app has exited ${this.diagnostics()}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) =>
        reply.ok ? resolve(reply.value) : reject(new Error(reply.error)),
      );
      this.#child.send({ id, ...request }, (error) => {
        if (!error) return;
        this.#pending.delete(id);
        reject(error);
      });
    });
  }

  /** An IPC request as the window's main frame (or a frame at `frameUrl`) makes it. */
  async invoke<C extends IpcChannel>(
    channel: C,
    payload: IpcRequest<C>,
    frameUrl?: string,
  ): Promise<IpcResponse<C>> {
    const request: ControlRequest = frameUrl
      ? { kind: 'invoke', channel, payload, frameUrl }
      : { kind: 'invoke', channel, payload };
    return (await this.request(request)) as IpcResponse<C>;
  }

  inspect(): Promise<BootRecord> {
    return this.request({ kind: 'inspect' }) as Promise<BootRecord>;
  }

  /** A permission request from window `window`'s page to a session's handler: granted? */
  askPermission(
    partition: string | null,
    window: number,
    permission: string,
    mediaTypes?: string[],
  ): Promise<boolean> {
    const request: ControlRequest = mediaTypes
      ? { kind: 'askPermission', partition, window, permission, mediaTypes }
      : { kind: 'askPermission', partition, window, permission };
    return this.request(request) as Promise<boolean>;
  }

  fetch(url: string): Promise<FetchedResponse> {
    return this.request({ kind: 'fetch', url }) as Promise<FetchedResponse>;
  }

  /** The first event sent to the window, past or future, that matches. */
  async waitForEvent<T extends AppEvent>(
    accept: (event: AppEvent) => event is T,
    timeoutMs: number,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(accept);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.#exit) {
        const seen = this.events.map((e) => e.type).join(', ');
        throw new Error(`event not seen (saw: ${seen}) ${this.diagnostics()}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#eventWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#eventWaiters.add(wake);
      });
    }
  }

  /** Ends the process if it still runs (SIGKILL after a grace period) and waits for it. */
  async stop(): Promise<void> {
    if (this.#exit) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), KILL_WAIT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  #receive(message: ChildMessage): void {
    switch (message.kind) {
      case 'reply': {
        const settle = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        settle?.(message.ok ? { ok: true, value: message.value } : message);
        return;
      }
      case 'sent':
        this.sent.push({ channel: message.channel, payload: message.payload });
        if (message.channel === EVENT_CHANNEL) this.events.push(message.payload as AppEvent);
        for (const wake of [...this.#eventWaiters]) wake();
        return;
      case 'quitting':
        this.quitRecord = message.record;
        return;
      case 'loaded':
        return;
    }
  }
}
