/**
 * The clipboard for the CLI and the browser preview, through the platform's own command-line
 * tools: wl-copy/wl-paste on Wayland, xclip or xsel on X11, pbcopy/pbpaste on macOS. Where none
 * is installed the clipboard is reported unavailable, never faked.
 */
import type { spawn as spawnType } from 'node:child_process';
import { constants } from 'node:fs';
import { checkAccess } from '../util/fs-async.ts';
import { delimiter, join } from 'node:path';
import { SECOND } from '../util/clock.ts';
import { CapabilityUnavailableError } from './capabilities.ts';

/** A clipboard command that has not finished by then is killed. */
export const CLIPBOARD_TIMEOUT = 3 * SECOND;
/** The most clipboard text read back, in bytes. */
export const CLIPBOARD_READ_LIMIT = 4 * 1024 * 1024;

interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

export interface ClipboardCommands {
  readonly read: Command;
  readonly write: Command;
}

interface Candidate extends ClipboardCommands {
  /** The environment variable that must be set for this tool to reach a display. */
  readonly needs: string | null;
}

const LINUX_CANDIDATES: readonly Candidate[] = [
  {
    needs: 'WAYLAND_DISPLAY',
    read: { file: 'wl-paste', args: ['--no-newline'] },
    write: { file: 'wl-copy', args: [] },
  },
  {
    needs: 'DISPLAY',
    read: { file: 'xclip', args: ['-selection', 'clipboard', '-o'] },
    write: { file: 'xclip', args: ['-selection', 'clipboard'] },
  },
  {
    needs: 'DISPLAY',
    read: { file: 'xsel', args: ['--clipboard', '--output'] },
    write: { file: 'xsel', args: ['--clipboard', '--input'] },
  },
];

const MAC_CANDIDATES: readonly Candidate[] = [
  { needs: null, read: { file: 'pbpaste', args: [] }, write: { file: 'pbcopy', args: [] } },
];

async function onPath(file: string, path: string): Promise<boolean> {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    try {
      await checkAccess(join(dir, file), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The clipboard commands usable in this environment, or null when there are none. */
export async function findClipboardCommands(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
): Promise<ClipboardCommands | null> {
  const candidates =
    platform === 'darwin' ? MAC_CANDIDATES : platform === 'win32' ? [] : LINUX_CANDIDATES;
  const path = env['PATH'] ?? '';
  for (const candidate of candidates) {
    if (candidate.needs !== null && !env[candidate.needs]) continue;
    if ((await onPath(candidate.read.file, path)) && (await onPath(candidate.write.file, path))) {
      return { read: candidate.read, write: candidate.write };
    }
  }
  return null;
}

function failure(command: Command, code: number | null, stderr: string): Error {
  const reason = stderr.trim() || (code === null ? 'timed out' : `exit code ${code}`);
  return new Error(`${command.file} failed: ${reason}`);
}

/** node:child_process, loaded at the first clipboard use: most sessions never touch it. */
async function loadSpawn(): Promise<typeof spawnType> {
  return (await import('node:child_process')).spawn;
}

/** Run a read command and return its output as text. */
export async function readWith(command: Command, env: NodeJS.ProcessEnv): Promise<string> {
  const spawn = await loadSpawn();
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CLIPBOARD_TIMEOUT,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= CLIPBOARD_READ_LIMIT) chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(chunks).toString('utf8'));
      else reject(failure(command, code, stderr));
    });
  });
}

/**
 * Run a write command with `text` on its standard input. xclip and wl-copy fork a child that
 * keeps serving the selection with the parent's stdio, so completion is the parent's `exit`,
 * not the pipes closing.
 */
export async function writeWith(
  command: Command,
  env: NodeJS.ProcessEnv,
  text: string,
): Promise<void> {
  const spawn = await loadSpawn();
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
      timeout: CLIPBOARD_TIMEOUT,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      child.stderr.destroy();
      if (code === 0) resolve();
      else reject(failure(command, code, stderr));
    });
    child.stdin.on('error', () => {
      // The exit handler reports the failure; a closed pipe adds nothing.
    });
    child.stdin.end(text);
  });
}

/** The clipboard through command-line tools, looked up once on first use. */
export class CommandClipboard {
  readonly #env: NodeJS.ProcessEnv;
  readonly #platform: NodeJS.Platform;
  #commands: Promise<ClipboardCommands | null> | null = null;

  constructor(env: NodeJS.ProcessEnv, platform: NodeJS.Platform) {
    this.#env = env;
    this.#platform = platform;
  }

  async read(): Promise<string> {
    return readWith((await this.#require()).read, this.#env);
  }

  async write(text: string): Promise<void> {
    await writeWith((await this.#require()).write, this.#env, text);
  }

  async #require(): Promise<ClipboardCommands> {
    this.#commands ??= findClipboardCommands(this.#env, this.#platform);
    const commands = await this.#commands;
    if (!commands) {
      throw new CapabilityUnavailableError(
        'The clipboard is not available: install wl-clipboard (Wayland), xclip or xsel (X11)',
      );
    }
    return commands;
  }
}
