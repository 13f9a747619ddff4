/**
 * Chat history per profile. An assistant reply streams in sentence by sentence; each sentence
 * updates the same message in its own committed write, so a `kill -9` loses at most the
 * sentence in flight. Pages are keyset-paginated on (created_at, id), newest first, so loading
 * the latest page costs the same with ten messages or a hundred thousand.
 */
import { randomUUID } from '../util/crypto.ts';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { TurnTimings } from '../../../shared/assistant.ts';
import type { ChatMessage, ChatRole, MessageStatus, SystemKind } from '../../../shared/chat.ts';
import type { HistoryPage } from '../../../shared/ipc.ts';
import { systemClock, type Clock, type TimerHandle } from '../util/clock.ts';
import { FULL_TEXT_SQL, openHistoryDatabase } from './history-schema.ts';
import { ProblemSchema } from './problem-schema.ts';
import { searchMessages } from './history-search.ts';

/** Largest page or search result handed out at once. */
export const MAX_PAGE_SIZE = 500;
/** A conversation is titled by its first user line, cut to this many characters. */
const TITLE_LENGTH = 60;
const DAY_MS = 24 * 60 * 60 * 1_000;
/**
 * SQLite's automatic checkpoint (every 1000 WAL pages) runs inside whichever commit crosses the
 * line, which puts a several-millisecond stall in the middle of a streamed reply. Lumi turns it
 * off and checkpoints itself: shortly after a write that ends a turn, once this many writes have
 * piled up, and inline only past the hard limit so the WAL can never grow without bound.
 */
const CHECKPOINT_AFTER_WRITES = 200;
const CHECKPOINT_HARD_LIMIT_WRITES = 5_000;
const CHECKPOINT_DELAY_MS = 1_000;

export interface Conversation {
  readonly id: string;
  readonly profileId: string;
  readonly title: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

type Row = Record<string, unknown>;

/** Text added to the end of a streaming message (a `messageAppended` event fits). */
export interface MessageAppend {
  readonly id: string;
  readonly conversationId: string;
  readonly text: string;
  readonly updatedAt: number;
  readonly truncated: boolean;
}

const ROLES: ReadonlySet<string> = new Set<ChatRole>(['user', 'assistant', 'system']);

/**
 * Turn a `messages` row into a ChatMessage. Columns are constrained by the schema; a streaming
 * message's text is the query's `full_text` column (FULL_TEXT_SQL) when it selects one.
 */
export function rowToMessage(row: Row): ChatMessage {
  const role = String(row['role']);
  const timings = row['timings'];
  return {
    id: String(row['id']),
    conversationId: String(row['conversation_id']),
    role: (ROLES.has(role) ? role : 'system') as ChatRole,
    text: String(row['full_text'] ?? row['text']),
    emotion: row['emotion'] === null ? null : String(row['emotion']),
    status: String(row['status']) as MessageStatus,
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
    systemKind: row['system_kind'] === null ? null : (String(row['system_kind']) as SystemKind),
    timings: typeof timings === 'string' ? (JSON.parse(timings) as TurnTimings) : null,
    ...(Number(row['truncated']) === 1 ? { truncated: true } : {}),
    ...(typeof row['image'] === 'string' ? { image: row['image'] } : {}),
    ...storedNotice(row['notice']),
  };
}

/** A row's notice, when it has one this Lumi can word; otherwise the row shows its text. */
function storedNotice(value: unknown): Pick<ChatMessage, 'notice'> {
  if (typeof value !== 'string') return {};
  try {
    const parsed = ProblemSchema.safeParse(JSON.parse(value));
    return parsed.success ? { notice: parsed.data } : {};
  } catch {
    return {};
  }
}

function rowToConversation(row: Row): Conversation {
  return {
    id: String(row['id']),
    profileId: String(row['profile_id']),
    title: row['title'] === null ? null : String(row['title']),
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  };
}

/** The opaque `before` cursor of a page: the position of the oldest message on it. */
export function encodeCursor(message: Pick<ChatMessage, 'createdAt' | 'id'>): string {
  return `${message.createdAt}:${message.id}`;
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const colon = cursor.indexOf(':');
  const createdAt = Number(cursor.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(createdAt)) throw new RangeError('bad history cursor');
  return { createdAt, id: cursor.slice(colon + 1) };
}

const clampLimit = (limit: number) => Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(limit)));

/** Conversation ids carry their profile id, so a line of history always says whose it is. */
export function newConversationId(profileId: string): string {
  return `${profileId}:${randomUUID()}`;
}

export interface PageRequest {
  readonly profileId: string;
  /** Only this conversation; the whole profile's history when absent. */
  readonly conversationId?: string;
  readonly before: string | null;
  readonly limit: number;
}

export class HistoryStore {
  readonly #db: DatabaseSync;
  readonly #statements: {
    readonly insertConversation: StatementSync;
    readonly touchConversation: StatementSync;
    readonly upsertMessage: StatementSync;
    readonly dropParts: StatementSync;
    readonly appendPart: StatementSync;
    readonly markTruncated: StatementSync;
    readonly touchOnAppend: StatementSync;
  };
  readonly #clock: Clock;
  #writesSinceCheckpoint = 0;
  #checkpointTimer: TimerHandle | null = null;

  /** Open the database at `path` (created if missing; `:memory:` for a throwaway one). */
  constructor(path: string, clock: Clock = systemClock) {
    this.#db = openHistoryDatabase(path);
    this.#db.exec('PRAGMA wal_autocheckpoint = 0');
    this.#clock = clock;
    this.#statements = {
      insertConversation: this.#db.prepare(
        `INSERT INTO conversations (id, profile_id, title, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      touchConversation: this.#db.prepare(
        `UPDATE conversations
         SET updated_at = max(updated_at, :at),
             title = coalesce(title, CASE WHEN :role = 'user' THEN substr(:text, 1, ${TITLE_LENGTH}) END)
         WHERE id = :id`,
      ),
      upsertMessage: this.#db.prepare(
        `INSERT INTO messages
           (id, conversation_id, role, text, emotion, status, system_kind, created_at, updated_at, timings, truncated, image, notice)
         VALUES (:id, :conversation, :role, :text, :emotion, :status, :kind, :created, :updated, :timings, :truncated, :image, :notice)
         ON CONFLICT (id) DO UPDATE SET
           text = excluded.text, emotion = excluded.emotion, status = excluded.status,
           system_kind = excluded.system_kind, updated_at = excluded.updated_at,
           timings = excluded.timings, truncated = excluded.truncated, image = excluded.image,
           notice = excluded.notice
         WHERE messages.conversation_id = excluded.conversation_id`,
      ),
      // The whole text was just written, so the parts it already contains go.
      dropParts: this.#db.prepare('DELETE FROM message_parts WHERE message_id = ?'),
      appendPart: this.#db.prepare(
        `INSERT INTO message_parts (message_id, seq, text)
         SELECT :id, (SELECT coalesce(max(seq), 0) + 1 FROM message_parts WHERE message_id = :id), :text
         WHERE EXISTS (SELECT 1 FROM messages
                       WHERE id = :id AND conversation_id = :conversation AND status = 'streaming')`,
      ),
      markTruncated: this.#db.prepare(
        'UPDATE messages SET truncated = 1 WHERE id = ? AND truncated = 0',
      ),
      touchOnAppend: this.#db.prepare(
        'UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?',
      ),
    };
  }

  /** Start a conversation for a profile and return its id. */
  startConversation(profileId: string, now: number, title: string | null = null): string {
    const id = newConversationId(profileId);
    this.#statements.insertConversation.run(id, profileId, title, now, now);
    return id;
  }

  /**
   * Insert a message, or update it as its sentences arrive (same id). One committed write: the
   * message and its conversation's `updated_at`/title change together or not at all.
   */
  upsert(message: ChatMessage): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const result = this.#statements.upsertMessage.run({
        id: message.id,
        conversation: message.conversationId,
        role: message.role,
        text: message.text,
        emotion: message.emotion,
        status: message.status,
        kind: message.systemKind,
        created: message.createdAt,
        updated: message.updatedAt,
        timings: message.timings === null ? null : JSON.stringify(message.timings),
        truncated: message.truncated === true ? 1 : 0,
        image: message.image ?? null,
        notice: message.notice === undefined ? null : JSON.stringify(message.notice),
      });
      if (Number(result.changes) === 0) {
        throw new Error(`message ${message.id} belongs to another conversation`);
      }
      this.#statements.dropParts.run(message.id);
      this.#statements.touchConversation.run({
        at: message.updatedAt,
        role: message.role,
        text: message.text,
        id: message.conversationId,
      });
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#afterWrite(message.status !== 'streaming');
  }

  /**
   * Add text to the end of a streaming message (its next sentence): one small insert whatever
   * the length of the reply, in its own committed write like `upsert`.
   */
  append(change: MessageAppend): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const { id, conversationId, text } = change;
      const result = this.#statements.appendPart.run({ id, conversation: conversationId, text });
      if (Number(result.changes) === 0) {
        throw new Error(`message ${id} is not a streaming message of ${conversationId}`);
      }
      if (change.truncated) this.#statements.markTruncated.run(id);
      this.#statements.touchOnAppend.run(change.updatedAt, conversationId);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#afterWrite(false);
  }

  #afterWrite(turnEnded: boolean): void {
    this.#writesSinceCheckpoint += 1;
    if (this.#writesSinceCheckpoint >= CHECKPOINT_HARD_LIMIT_WRITES) {
      this.checkpoint();
    } else if (
      turnEnded &&
      this.#checkpointTimer === null &&
      this.#writesSinceCheckpoint >= CHECKPOINT_AFTER_WRITES
    ) {
      this.#checkpointTimer = this.#clock.setTimeout(() => {
        this.#checkpointTimer = null;
        if (this.#db.isOpen) this.checkpoint();
      }, CHECKPOINT_DELAY_MS);
    }
  }

  /**
   * Copy the WAL back into the database file (passive: it never waits for a reader). Runs by
   * itself after turns; call it when the app goes idle or before a backup.
   */
  checkpoint(): void {
    this.#db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    this.#writesSinceCheckpoint = 0;
  }

  conversation(id: string): Conversation | null {
    const row = this.#db.prepare('SELECT * FROM conversations WHERE id = ?').get(id);
    return row ? rowToConversation(row) : null;
  }

  /** A profile's conversations, most recently active first. */
  conversations(profileId: string, limit = MAX_PAGE_SIZE): Conversation[] {
    return this.#db
      .prepare(
        `SELECT * FROM conversations WHERE profile_id = ? ORDER BY updated_at DESC, id DESC LIMIT ?`,
      )
      .all(profileId, clampLimit(limit))
      .map(rowToConversation);
  }

  /** Every message of a conversation, oldest first. */
  messages(conversationId: string): ChatMessage[] {
    return this.#db
      .prepare(
        `SELECT m.*, ${FULL_TEXT_SQL} AS full_text FROM messages m
         WHERE conversation_id = ? ORDER BY created_at, id`,
      )
      .all(conversationId)
      .map(rowToMessage);
  }

  /**
   * A page of history, oldest first within the page. `before: null` gives the latest page;
   * pass the returned `nextBefore` to get the one before it (null when there is none).
   */
  page(request: PageRequest): HistoryPage {
    const limit = clampLimit(request.limit);
    const cursor = request.before === null ? null : decodeCursor(request.before);
    const scope =
      request.conversationId === undefined
        ? 'c.profile_id = :profile'
        : 'c.profile_id = :profile AND m.conversation_id = :conversation';
    const rows = this.#db
      .prepare(
        // CROSS JOIN keeps messages the outer loop, so the (created_at, id) index gives the
        // order and the scan stops at the limit instead of sorting a whole profile.
        `SELECT m.*, ${FULL_TEXT_SQL} AS full_text
         FROM messages m CROSS JOIN conversations c ON c.id = m.conversation_id
         WHERE ${scope} ${cursor ? 'AND (m.created_at, m.id) < (:createdAt, :id)' : ''}
         ORDER BY m.created_at DESC, m.id DESC LIMIT :limit`,
      )
      .all({
        profile: request.profileId,
        ...(request.conversationId === undefined ? {} : { conversation: request.conversationId }),
        ...(cursor ? { createdAt: cursor.createdAt, id: cursor.id } : {}),
        limit: limit + 1,
      });
    const more = rows.length > limit;
    const messages = rows.slice(0, limit).map(rowToMessage).reverse();
    const oldest = messages[0];
    return { messages, nextBefore: more && oldest ? encodeCursor(oldest) : null };
  }

  /** Messages of a profile containing `query` (Chinese or English), newest first. */
  search(profileId: string, query: string, limit: number): ChatMessage[] {
    return searchMessages(this.#db, profileId, query, clampLimit(limit)).map(rowToMessage);
  }

  deleteConversation(id: string): void {
    this.#db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
  }

  /** Delete all of a profile's history (the profile was removed). */
  deleteProfile(profileId: string): void {
    this.#db.prepare('DELETE FROM conversations WHERE profile_id = ?').run(profileId);
  }

  /**
   * Delete messages older than `days` days, then conversations left empty. Returns how many
   * messages went.
   */
  applyRetention(days: number, now: number): number {
    const cutoff = now - days * DAY_MS;
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const removed = this.#db.prepare('DELETE FROM messages WHERE created_at < ?').run(cutoff);
      this.#db
        .prepare(
          `DELETE FROM conversations WHERE updated_at < ?
           AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id)`,
        )
        .run(cutoff);
      this.#db.exec('COMMIT');
      return Number(removed.changes);
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** SQLite's own verdict on the file (`ok` when healthy). */
  integrityCheck(): string {
    const rows = this.#db.prepare('PRAGMA integrity_check').all();
    return rows.map((row) => String(row['integrity_check'])).join('\n');
  }

  /** Close the database; SQLite checkpoints the WAL as the last connection closes. */
  close(): void {
    if (this.#checkpointTimer !== null) this.#clock.clearTimeout(this.#checkpointTimer);
    this.#checkpointTimer = null;
    if (this.#db.isOpen) this.#db.close();
  }
}
