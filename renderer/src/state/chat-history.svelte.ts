import type { ChatMessage } from '../../../shared/chat.ts';
import type { HistoryPage, TaskRow } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Result } from '../../../shared/result.ts';
import type { OutboxItem, SessionEvent } from '../../../shared/session-events.ts';

/** Messages fetched per history request: enough to fill the window a few times over. */
export const HISTORY_PAGE_SIZE = 50;
/**
 * Sentences appended within this long are shown together, so a server streaming thousands of
 * sentences a second re-renders its reply about twenty times a second, not once per sentence.
 */
export const APPEND_BATCH_MS = 50;

export type MessageAppend = Omit<Extract<SessionEvent, { type: 'messageAppended' }>, 'type'>;

interface PendingAppend {
  readonly parts: string[];
  updatedAt: number;
  truncated: boolean;
}

/** One line of the chat list. Messages and task rows have separate key spaces. */
export type ChatRow =
  | {
      readonly kind: 'message';
      readonly key: string;
      readonly message: ChatMessage;
      /** Why the server refused typed text (its alert), while it shows as refused. */
      readonly error: Problem | null;
    }
  | { readonly kind: 'task'; readonly key: string; readonly task: TaskRow };

export type HistoryFetch = (before: string | null, limit: number) => Promise<Result<HistoryPage>>;

const messageKey = (id: string): string => `message:${id}`;
const taskKey = (id: string): string => `task:${id}`;

function messageRow(message: ChatMessage, error: Problem | null = null): ChatRow {
  return { kind: 'message', key: messageKey(message.id), message, error };
}

/** Updates land on recent rows, so search from the end. */
function lastIndexOfKey(rows: readonly ChatRow[], key: string): number {
  for (let index = rows.length - 1; index >= 0; index -= 1) {
    if (rows[index]?.key === key) return index;
  }
  return -1;
}

/**
 * The conversation as the window shows it. `rows` is replaced on every change, never mutated,
 * so the list re-renders exactly when it must and 10 000 rows cost no deep proxies.
 */
export class ChatHistory {
  #rows = $state.raw<readonly ChatRow[]>([]);
  loadingOlder = $state(false);
  #nextBefore: string | null = null;
  // Keys present in `rows`, so a new message is appended without scanning the history. Not
  // reactive: it is bookkeeping beside `rows`, which is what the window reads.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  #keys = new Set<string>();
  // Appended text not shown yet, by message id (see APPEND_BATCH_MS). Bookkeeping, as #keys.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see above
  readonly #pending = new Map<string, PendingAppend>();
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #fetch: HistoryFetch;

  constructor(fetch: HistoryFetch) {
    this.#fetch = fetch;
  }

  /** Every row, oldest first. */
  get rows(): readonly ChatRow[] {
    return this.#rows;
  }

  /** Loads the newest page; rows that arrived as events meanwhile are kept after it. */
  async loadNewest(): Promise<Result<HistoryPage>> {
    const result = await this.#fetch(null, HISTORY_PAGE_SIZE);
    if (!result.ok) return result;
    const page = result.value.messages.map((message) => messageRow(message));
    // Before the first page only a few rows can have arrived, so a linear lookup is enough.
    const pageKeys = page.map((row) => row.key);
    this.#replace([...page, ...this.rows.filter((row) => !pageKeys.includes(row.key))]);
    this.#nextBefore = result.value.nextBefore;
    return result;
  }

  /** Loads the page before the oldest row shown; does nothing while a load runs or at the start. */
  async loadOlder(): Promise<Result<HistoryPage> | null> {
    if (this.loadingOlder || this.#nextBefore === null) return null;
    this.loadingOlder = true;
    try {
      const result = await this.#fetch(this.#nextBefore, HISTORY_PAGE_SIZE);
      if (!result.ok) return result;
      const older = result.value.messages
        .map((message) => messageRow(message))
        .filter((row) => !this.#keys.has(row.key));
      this.#replace([...older, ...this.rows]);
      this.#nextBefore = result.value.nextBefore;
      return result;
    } finally {
      this.loadingOlder = false;
    }
  }

  /** A new message, or a new version of one (a reply whose sentences are still streaming in). */
  upsertMessage(message: ChatMessage): void {
    // The whole message includes whatever was appended to it before.
    this.#pending.delete(message.id);
    const key = messageKey(message.id);
    const index = this.#indexOf(key);
    const previous = this.rows[index];
    const error =
      message.status === 'refused' && previous?.kind === 'message' ? previous.error : null;
    this.#put(index, messageRow(message, error));
  }

  /** The next sentence of a streaming reply: shown with the others of its batch. */
  appendToMessage(change: MessageAppend): void {
    const pending = this.#pending.get(change.id);
    if (pending) {
      pending.parts.push(change.text);
      pending.updatedAt = change.updatedAt;
      pending.truncated ||= change.truncated;
    } else {
      const { text, updatedAt, truncated } = change;
      this.#pending.set(change.id, { parts: [text], updatedAt, truncated });
    }
    this.#flushTimer ??= setTimeout(() => this.flushAppends(), APPEND_BATCH_MS);
  }

  /** Show appended text now (it also shows by itself APPEND_BATCH_MS after it arrived). */
  flushAppends(): void {
    if (this.#flushTimer !== null) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.size === 0) return;
    const next = this.rows.slice();
    for (const [id, pending] of this.#pending) {
      const index = this.#indexOf(messageKey(id));
      const row = next[index];
      // A reply the window never saw open arrives whole when it settles.
      if (row?.kind !== 'message') continue;
      const message: ChatMessage = {
        ...row.message,
        text: `${row.message.text}${pending.parts.join('')}`,
        updatedAt: pending.updatedAt,
        ...(pending.truncated ? { truncated: true } : {}),
      };
      next[index] = messageRow(message, row.error);
    }
    this.#pending.clear();
    this.#rows = next;
  }

  /** Typed text changed state in the outbox; it shows as the user's message with that status. */
  applyOutbox(item: OutboxItem): void {
    const key = messageKey(item.id);
    const index = this.#indexOf(key);
    const previous = this.rows[index];
    const base: ChatMessage =
      previous?.kind === 'message'
        ? previous.message
        : {
            id: item.id,
            conversationId: '',
            role: 'user',
            text: item.text,
            emotion: null,
            status: item.status,
            createdAt: item.createdAt,
            updatedAt: item.createdAt,
            systemKind: null,
            timings: null,
          };
    const message: ChatMessage = { ...base, text: item.text, status: item.status };
    this.#put(index, messageRow(message, item.status === 'refused' ? item.error : null));
  }

  upsertTask(task: TaskRow): void {
    const key = taskKey(task.id);
    this.#put(this.#indexOf(key), { kind: 'task', key, task });
  }

  #indexOf(key: string): number {
    return this.#keys.has(key) ? lastIndexOfKey(this.rows, key) : -1;
  }

  #put(index: number, row: ChatRow): void {
    if (index < 0) {
      this.#keys.add(row.key);
      this.#rows = [...this.rows, row];
      return;
    }
    const next = this.rows.slice();
    next[index] = row;
    this.#rows = next;
  }

  #replace(rows: readonly ChatRow[]): void {
    this.#rows = rows;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see the field
    this.#keys = new Set(rows.map((row) => row.key));
  }
}
