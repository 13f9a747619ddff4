/**
 * The one logger of the app: JSON lines, one object per event, into a folder of size-rotated
 * files, optionally echoed to stderr. Every message and field goes through redact.ts first, so
 * a token handed to the logger by mistake never reaches the disk or the terminal.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../util/clock.ts';
import { redact, redactText } from './redact.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A log file is rotated before it grows past this. */
export const DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024;
/** Files kept, the current one included: five files of 5 MB cover weeks of normal use. */
export const DEFAULT_MAX_FILES = 5;
export const DEFAULT_LOG_FILE = 'lumi.log';

export interface LoggerOptions {
  /** Folder for the log files; null or absent logs to the console only (if enabled). */
  readonly dir?: string | null;
  readonly fileName?: string;
  readonly level?: LogLevel;
  /** Echo each line to stderr (stdout belongs to the CLI's own output). */
  readonly console?: boolean;
  readonly maxFileBytes?: number;
  readonly maxFiles?: number;
  readonly clock?: Clock;
}

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that tags its lines with `scope` and shares this one's files. */
  child(scope: string): Logger;
  /** Close the current file; later calls write nothing to disk. */
  close(): void;
}

/** The size-rotated file set. Writes are synchronous so the last lines before a crash are kept. */
class RotatingFile {
  readonly #dir: string;
  readonly #stem: string;
  readonly #extension: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  #fd: number | null = null;
  #size = 0;
  #broken = false;

  constructor(dir: string, fileName: string, maxBytes: number, maxFiles: number) {
    this.#dir = dir;
    const dot = fileName.lastIndexOf('.');
    this.#stem = dot > 0 ? fileName.slice(0, dot) : fileName;
    this.#extension = dot > 0 ? fileName.slice(dot) : '';
    this.#maxBytes = maxBytes;
    this.#maxFiles = Math.max(1, maxFiles);
  }

  #path(index: number): string {
    const suffix = index === 0 ? '' : `.${index}`;
    return join(this.#dir, `${this.#stem}${suffix}${this.#extension}`);
  }

  #open(): number {
    if (this.#fd !== null) return this.#fd;
    mkdirSync(this.#dir, { recursive: true });
    const fd = openSync(this.#path(0), 'a', 0o600);
    this.#fd = fd;
    this.#size = statSync(this.#path(0)).size;
    return fd;
  }

  #rotate(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    rmSync(this.#path(this.#maxFiles - 1), { force: true });
    for (let index = this.#maxFiles - 2; index >= 0; index -= 1) {
      try {
        renameSync(this.#path(index), this.#path(index + 1));
      } catch {
        // A gap in the numbering (a file deleted by hand) is not a reason to stop logging.
      }
    }
  }

  write(line: string): void {
    if (this.#broken) return;
    const bytes = Buffer.byteLength(line);
    try {
      this.#open();
      if (this.#size > 0 && this.#size + bytes > this.#maxBytes) {
        if (this.#maxFiles === 1) {
          rmSync(this.#path(0), { force: true });
          if (this.#fd !== null) closeSync(this.#fd);
          this.#fd = null;
        } else {
          this.#rotate();
        }
      }
      writeSync(this.#open(), line);
      this.#size += bytes;
    } catch (error) {
      // A full or read-only disk must not take the assistant down with it; say so once.
      this.#broken = true;
      process.stderr.write(`lumi: logging to ${this.#dir} stopped: ${String(error)}\n`);
    }
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#broken = true;
  }
}

interface Sink {
  readonly threshold: number;
  readonly clock: Clock;
  readonly file: RotatingFile | null;
  readonly console: boolean;
}

function emit(
  sink: Sink,
  level: LogLevel,
  scope: string | null,
  message: string,
  fields?: LogFields,
) {
  if (LEVEL_RANK[level] < sink.threshold) return;
  const record: Record<string, unknown> = {
    time: new Date(sink.clock.now()).toISOString(),
    level,
    ...(scope === null ? {} : { scope }),
    msg: redactText(message),
  };
  const safeFields = fields === undefined ? {} : (redact(fields) as Record<string, unknown>);
  for (const [key, value] of Object.entries(safeFields)) {
    // A field never overwrites the line's own keys; it is kept under a prefixed name instead.
    record[Object.hasOwn(record, key) ? `field_${key}` : key] = value;
  }
  const line = `${JSON.stringify(record)}\n`;
  sink.file?.write(line);
  if (sink.console) process.stderr.write(line);
}

function makeLogger(sink: Sink, scope: string | null): Logger {
  return {
    debug: (message, fields) => emit(sink, 'debug', scope, message, fields),
    info: (message, fields) => emit(sink, 'info', scope, message, fields),
    warn: (message, fields) => emit(sink, 'warn', scope, message, fields),
    error: (message, fields) => emit(sink, 'error', scope, message, fields),
    child: (childScope) => makeLogger(sink, scope === null ? childScope : `${scope}.${childScope}`),
    close: () => sink.file?.close(),
  };
}

/** Create the app's logger. Make one per process and hand `child(scope)` loggers to modules. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const dir = options.dir ?? null;
  const sink: Sink = {
    threshold: LEVEL_RANK[options.level ?? 'info'],
    clock: options.clock ?? systemClock,
    console: options.console ?? false,
    file:
      dir === null
        ? null
        : new RotatingFile(
            dir,
            options.fileName ?? DEFAULT_LOG_FILE,
            options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
            options.maxFiles ?? DEFAULT_MAX_FILES,
          ),
  };
  return makeLogger(sink, null);
}

/** A logger that drops everything, for code paths and tests that do not care. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  close: () => undefined,
};
