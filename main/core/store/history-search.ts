/**
 * Full-text search over the history, for Chinese and English. Queries of three characters or
 * more go through the trigram FTS5 index (any substring, case-folded). Trigrams cannot answer
 * shorter queries, and two characters are a whole word in Chinese (你好, 天气), so those fall back
 * to a LIKE scan: newest rows first through the rowid, stopping at the limit, which keeps
 * common short words fast and costs one pass over the table only when nothing matches.
 * Both paths have the same meaning: the text contains the query. A reply still streaming is not
 * in the FTS index yet (history-schema.ts), so long queries also scan the few streaming rows.
 */
import type { DatabaseSync } from 'node:sqlite';
import { FULL_TEXT_SQL } from './history-schema.ts';

/** Shortest query the trigram index can answer. */
export const TRIGRAM_MIN_CHARS = 3;

/** An FTS5 phrase matching `text` literally: quotes doubled, nothing read as syntax. */
function ftsPhrase(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** A LIKE pattern matching `text` anywhere, with `%`, `_` and the escape itself escaped. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

type Row = Record<string, unknown>;

/** Newest first by rowid, duplicates (none expected) dropped, cut to `limit`. */
function mergeNewestFirst(a: readonly Row[], b: readonly Row[], limit: number): Row[] {
  const byRowid = new Map<number, Row>();
  for (const row of [...a, ...b]) byRowid.set(Number(row['_rowid']), row);
  return [...byRowid.entries()]
    .sort(([x], [y]) => y - x)
    .slice(0, limit)
    .map(([, row]) => row);
}

/**
 * Rows of `messages` of a profile whose text contains `query`, newest first (by insertion
 * order, which is the order messages were said in). The CROSS JOINs fix the loop order, so
 * SQLite walks messages newest first instead of collecting a whole profile and sorting it.
 */
export function searchMessages(
  db: DatabaseSync,
  profileId: string,
  query: string,
  limit: number,
): Row[] {
  const needle = query.trim();
  if (needle === '') return [];
  if ([...needle].length < TRIGRAM_MIN_CHARS) {
    return db
      .prepare(
        `SELECT m.rowid AS _rowid, m.*, ${FULL_TEXT_SQL} AS full_text FROM messages m
         CROSS JOIN conversations c ON c.id = m.conversation_id
         WHERE ${FULL_TEXT_SQL} LIKE ? ESCAPE '\\' AND c.profile_id = ?
         ORDER BY m.rowid DESC LIMIT ?`,
      )
      .all(likeContains(needle), profileId, limit);
  }
  // ORDER BY the FTS rowid lets FTS5 walk its index backwards and stop at the limit.
  const settled = db
    .prepare(
      `SELECT m.rowid AS _rowid, m.* FROM messages_fts f
       CROSS JOIN messages m ON m.rowid = f.rowid
       CROSS JOIN conversations c ON c.id = m.conversation_id
       WHERE messages_fts MATCH ? AND c.profile_id = ?
       ORDER BY f.rowid DESC LIMIT ?`,
    )
    .all(ftsPhrase(needle), profileId, limit);
  const streaming = db
    .prepare(
      `SELECT m.rowid AS _rowid, m.*, ${FULL_TEXT_SQL} AS full_text
       FROM messages m INDEXED BY messages_streaming
       CROSS JOIN conversations c ON c.id = m.conversation_id
       WHERE m.status = 'streaming' AND ${FULL_TEXT_SQL} LIKE ? ESCAPE '\\' AND c.profile_id = ?`,
    )
    .all(likeContains(needle), profileId);
  return streaming.length === 0 ? settled : mergeNewestFirst(settled, streaming, limit);
}
