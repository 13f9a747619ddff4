/**
 * The two file moves every store in Lumi relies on: an atomic replace (write a temporary file
 * beside the target, fsync, rename over it, so a crash leaves the old or the new file and never
 * half of one), and moving a damaged file aside instead of overwriting it, so nothing a user had
 * is silently wiped. Everything Lumi keeps is private to its user: the data folder is 0700 and
 * every file 0600, because history and identities say as much about a person as the tokens do.
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** The mode of every file Lumi writes: its user's only. */
export const PRIVATE_FILE_MODE = 0o600;
/** The mode of Lumi's data folder. */
export const PRIVATE_DIR_MODE = 0o700;
const GROUP_OTHER_BITS = 0o077;

/**
 * Narrow `path` to `mode` when group or others may read it (a file from an older Lumi, a copy, a
 * restore, a wide umask). Windows has no such bits; a missing file is left alone.
 */
export function tightenMode(path: string, mode: number): void {
  if (process.platform === 'win32' || !existsSync(path)) return;
  if ((statSync(path).mode & GROUP_OTHER_BITS) !== 0) chmodSync(path, mode);
}

/** Create the data folder 0700, or narrow an existing one (Electron makes `userData` 0755). */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tightenMode(dir, PRIVATE_DIR_MODE);
}

export interface AtomicWriteOptions {
  /** Mode of the new file (set at creation, so the content is never readable with a wider one). */
  readonly mode?: number;
  /** Mode of the folder, if it has to be created. */
  readonly dirMode?: number;
}

/**
 * Makes temporary names unique within the process; the pid makes them unique between processes
 * (and `wx` refuses a name that is taken). Not random: node:crypto costs start-up time to load.
 */
let temporaryCount = 0;

/** Replace `path` with `content` atomically. */
export function writeFileAtomic(path: string, content: string, options: AtomicWriteOptions = {}) {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: options.dirMode ?? PRIVATE_DIR_MODE });
  temporaryCount += 1;
  const temporary = join(dir, `.${basename(path)}.${process.pid}-${temporaryCount}.tmp`);
  const fd = openSync(temporary, 'wx', options.mode ?? PRIVATE_FILE_MODE);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** What a store reports after it found a damaged file and started over. */
export type Recovery =
  | { readonly recovered: false }
  | {
      readonly recovered: true;
      /** Where the damaged file now lives, for the UI to show. */
      readonly movedTo: string;
      readonly reason: 'corruptJson' | 'schemaInvalid';
      readonly detail: string;
    };

export const NOT_RECOVERED: Recovery = { recovered: false };

/**
 * Move a damaged file to `<name>.corrupt-<time>.json` next to it and return the new path. The
 * time is a filesystem-safe ISO stamp; a counter is added if that name is taken.
 */
export function moveAside(path: string, now: number): string {
  const extension = extname(path) || '.json';
  const stem = join(dirname(path), basename(path, extname(path)));
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  let target = `${stem}.corrupt-${stamp}${extension}`;
  for (let counter = 1; existsSync(target); counter += 1) {
    target = `${stem}.corrupt-${stamp}-${counter}${extension}`;
  }
  renameSync(path, target);
  return target;
}

/** The files SQLite keeps beside a database in WAL mode; they belong to it and move with it. */
export const SQLITE_COMPANIONS = ['-wal', '-shm'] as const;

/**
 * Move a damaged SQLite database to `<name>.corrupt-<time>.sqlite`, its WAL and shared-memory
 * files along with it (the WAL may hold the newest commits), and return the new path.
 */
export function moveDatabaseAside(path: string, now: number): string {
  const target = moveAside(path, now);
  for (const suffix of SQLITE_COMPANIONS) {
    if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${target}${suffix}`);
  }
  return target;
}
