/**
 * Promise forms of the few file calls Lumi makes, over the callback API. `node:fs/promises`
 * brings a good part of Node's readline and REPL code with it (~3 MB resident, measured), which
 * the core and the Electron main need for nothing else.
 */
import { access, readFile, stat, type Stats } from 'node:fs';

export function readFileBytes(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    readFile(path, (error, data) => (error ? reject(error) : resolve(data))),
  );
}

export function statFile(path: string): Promise<Stats> {
  return new Promise((resolve, reject) =>
    stat(path, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

/** Resolves when `path` is accessible in `mode` (fs.constants), rejects otherwise. */
export function checkAccess(path: string, mode: number): Promise<void> {
  return new Promise((resolve, reject) =>
    access(path, mode, (error) => (error ? reject(error) : resolve())),
  );
}
