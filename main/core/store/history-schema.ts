/**
 * The history database: SQLite through Node's built-in `node:sqlite` (no native dependency to
 * rebuild for Electron). WAL with `synchronous=NORMAL`: a committed write survives a crash of
 * the process (it is in the WAL before the commit returns); only an OS crash or power cut can
 * lose the last commits, and never corrupts the file.
 *
 * Search: an external-content FTS5 index with the `trigram` tokenizer, kept in step by triggers
 * for every message whose text has settled (not `streaming`).
 * Trigrams find any substring of three or more characters in Chinese and English alike (the
 * default tokenizer would treat a whole run of Chinese characters as one word).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  SQLITE_COMPANIONS,
  tightenMode,
} from './safe-file.ts';

/** Bumped with each schema change; stored in `PRAGMA user_version`. */
export const HISTORY_SCHEMA_VERSION = 4;
/** How long a write waits for another connection's lock (the CLI reading while the app writes). */
const BUSY_TIMEOUT_MS = 5_000;

const SCHEMA_V1 = `
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  profile_id TEXT NOT NULL,
  title TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX conversations_by_profile ON conversations (profile_id, updated_at);

CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
  text TEXT NOT NULL,
  emotion TEXT,
  status TEXT NOT NULL,
  system_kind TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  timings TEXT
);
CREATE INDEX messages_by_time ON messages (created_at, id);
CREATE INDEX messages_by_conversation ON messages (conversation_id, created_at, id);

-- A reply being streamed is rewritten once per sentence; indexing every version would make
-- each sentence write an FTS segment (and trigger merges), so only settled text is indexed and
-- the few streaming rows are searched by scanning this partial index.
CREATE INDEX messages_streaming ON messages (conversation_id) WHERE status = 'streaming';

CREATE VIRTUAL TABLE messages_fts USING fts5 (
  text, content = 'messages', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.status <> 'streaming' BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.status <> 'streaming' BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
-- One trigger, two statements in this order: the old entry must leave before the new one comes.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, status ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text)
    SELECT 'delete', old.rowid, old.text WHERE old.status <> 'streaming';
  INSERT INTO messages_fts (rowid, text) SELECT new.rowid, new.text WHERE new.status <> 'streaming';
END;
`;

/**
 * Version 2: a streaming reply grows by sentences stored as rows of their own, so a sentence
 * costs one small insert instead of rewriting the whole reply (issue 11, finding 6). The parts
 * are folded into `messages.text` whenever the message is written whole (at the latest when it
 * settles, which is also when the FTS triggers index it), so only streaming rows have parts.
 * `truncated` keeps the ChatMessage flag (shared/bounded-text.ts).
 */
const SCHEMA_V2 = `
CREATE TABLE message_parts (
  message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (message_id, seq)
) WITHOUT ROWID;
ALTER TABLE messages ADD COLUMN truncated INTEGER NOT NULL DEFAULT 0;
`;

/**
 * Version 3: a system line's picture (`ChatMessage.image`, the thumbnail of a picture Lumi
 * sent), kept only when the user turned `keepPictureThumbnails` on; null otherwise and in
 * every row from before.
 */
const SCHEMA_V3 = `
ALTER TABLE messages ADD COLUMN image TEXT;
`;

/**
 * Version 4: a system line Lumi wrote itself keeps its notice (ChatMessage.notice) as JSON, so
 * the window words it in the user's language; `text` keeps the English for search and the CLI.
 * Rows from before have no notice and show their text.
 */
const SCHEMA_V4 = `
ALTER TABLE messages ADD COLUMN notice TEXT;
`;

/** The change that brings a database of version `index` to version `index + 1`. */
export const HISTORY_MIGRATIONS: readonly string[] = [SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_V4];

/**
 * A message's whole text, for a query over `messages m`: its stored text and, while it streams,
 * its parts in order. Settled rows never have parts.
 */
export const FULL_TEXT_SQL = `CASE WHEN m.status = 'streaming'
  THEN m.text || coalesce((SELECT group_concat(p.text, '' ORDER BY p.seq)
                           FROM message_parts p WHERE p.message_id = m.id), '')
  ELSE m.text END`;

export class HistoryOpenError extends Error {}

/**
 * The file exists 0600 before SQLite opens it: SQLite gives the WAL and shared-memory files the
 * database file's mode, so a file it created itself (0644 under the usual umask) would leave
 * all three readable by every user. Files from an older Lumi are narrowed.
 */
function preparePrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  for (const suffix of ['', ...SQLITE_COMPANIONS])
    tightenMode(`${path}${suffix}`, PRIVATE_FILE_MODE);
}

/**
 * Read the header, the schema and a row of each table, so that a file that is not a database,
 * was truncated or has a damaged schema fails here, at open, where it can be moved aside, and
 * not in the middle of a conversation. A full `PRAGMA quick_check` would also find damage deep
 * inside the tables, but it reads the whole file (~0.8 s for 100 000 messages) on every start.
 */
function probe(db: DatabaseSync): void {
  db.prepare('SELECT count(*) FROM sqlite_schema').get();
  db.prepare('SELECT id FROM conversations ORDER BY updated_at DESC LIMIT 1').get();
  db.prepare('SELECT id FROM messages ORDER BY created_at DESC LIMIT 1').get();
}

/** Open (and create or upgrade) the history database at `path`; `:memory:` works for tests. */
export function openHistoryDatabase(path: string): DatabaseSync {
  if (path !== ':memory:') preparePrivateFile(path);
  const db = new DatabaseSync(path, {
    timeout: BUSY_TIMEOUT_MS,
    enableForeignKeyConstraints: true,
  });
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    const row = db.prepare('PRAGMA user_version').get();
    const version = Number(row?.['user_version'] ?? 0);
    if (version > HISTORY_SCHEMA_VERSION) {
      throw new HistoryOpenError(
        `The history at ${path} was written by a newer Lumi (schema ${version}); update Lumi to read it.`,
      );
    }
    if (version < HISTORY_SCHEMA_VERSION) {
      db.exec('BEGIN IMMEDIATE');
      for (const migration of HISTORY_MIGRATIONS.slice(version)) db.exec(migration);
      db.exec(`PRAGMA user_version = ${HISTORY_SCHEMA_VERSION}`);
      db.exec('COMMIT');
    }
    probe(db);
    return db;
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    db.close();
    throw error;
  }
}
