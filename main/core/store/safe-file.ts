/**
 * The two file moves every store in Lumi relies on: an atomic replace (write a temporary file
 * beside the target, fsync, rename over it, so a crash leaves the old or the new file and never
 * half of one), and moving a damaged file aside instead of overwriting it, so nothing a user had
 * is silently wiped.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

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
  mkdirSync(dir, { recursive: true, mode: options.dirMode ?? 0o700 });
  temporaryCount += 1;
  const temporary = join(dir, `.${basename(path)}.${process.pid}-${temporaryCount}.tmp`);
  const fd = openSync(temporary, 'wx', options.mode ?? 0o644);
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
