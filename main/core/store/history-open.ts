/**
 * Opening the history so that it can never stop Lumi from talking. A file SQLite calls damaged
 * (not a database, truncated, a broken schema) is moved aside as `history.corrupt-<time>.sqlite`
 * with its WAL, the way settings.ts keeps `settings.corrupt-<time>.json`, and a fresh one is
 * opened. A folder that cannot hold the history (read-only, full, not ours) or a file from a
 * newer Lumi gives an in-memory history instead: this run's conversation shows in the window
 * but is not kept. Either way the caller gets one problem to tell the user once.
 */
import type { Problem } from '../../../shared/problems.ts';
import { errorDetail } from '../../../shared/problems.ts';
import type { Clock } from '../util/clock.ts';
import { HistoryStore } from './history.ts';
import { moveDatabaseAside } from './safe-file.ts';

/** SQLite's result codes for a file that is not a sound database (sqlite3.h). */
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

export interface OpenedHistory {
  readonly store: HistoryStore;
  /** Whether what is written now is kept on disk. */
  readonly persistent: boolean;
  /** `historyRecovered` or `historyUnavailable`, for the user; null when all went well. */
  readonly problem: Problem | null;
}

/** Whether SQLite refused the file itself as damaged (and not the folder or its permissions). */
export function isDamagedDatabase(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return code === SQLITE_CORRUPT || code === SQLITE_NOTADB;
}

/** Open the history at `path`. Never throws. */
export function openHistory(path: string, clock: Clock): OpenedHistory {
  let failure: unknown;
  try {
    return { store: new HistoryStore(path, clock), persistent: true, problem: null };
  } catch (error) {
    failure = error;
  }
  if (isDamagedDatabase(failure)) {
    try {
      const movedTo = moveDatabaseAside(path, clock.now());
      const store = new HistoryStore(path, clock);
      return { store, persistent: true, problem: { code: 'historyRecovered', movedTo } };
    } catch (error) {
      failure = error;
    }
  }
  return {
    store: new HistoryStore(':memory:', clock),
    persistent: false,
    problem: { code: 'historyUnavailable', path, detail: errorDetail(failure) },
  };
}
