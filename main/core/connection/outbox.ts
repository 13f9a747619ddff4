/**
 * Typed text waiting for the server. Bounded in size and age; every item has an id and a status
 * the front ends show. Queued items leave exactly once and in order: an item becomes `sending`
 * when it is handed to the socket and `sent` once the socket wrote it; if the socket dies before
 * writing, it goes back to the head of the queue.
 */
import type { OutboxItem } from '../../../shared/session-events.ts';
import type { Clock } from '../util/clock.ts';
import { MINUTE } from '../util/clock.ts';

export interface OutboxOptions {
  /** Items kept at most (queued and sending); more are refused. */
  readonly maxItems: number;
  /** A queued item older than this fails instead of being sent late. */
  readonly maxAgeMs: number;
  /** Finished items kept for display. */
  readonly keepFinished: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = {
  maxItems: 50,
  maxAgeMs: 10 * MINUTE,
  keepFinished: 50,
};

export class OutboxFullError extends Error {
  readonly code = 'outbox_full';
}

export class Outbox {
  readonly #clock: Clock;
  readonly #options: OutboxOptions;
  readonly #onChange: (item: OutboxItem) => void;
  readonly #newId: () => string;
  #items: OutboxItem[] = [];

  constructor(
    clock: Clock,
    onChange: (item: OutboxItem) => void,
    newId: () => string,
    options: OutboxOptions = DEFAULT_OUTBOX,
  ) {
    this.#clock = clock;
    this.#onChange = onChange;
    this.#newId = newId;
    this.#options = options;
  }

  /** Queue typed text; throws OutboxFullError when too many are waiting. */
  enqueue(text: string): OutboxItem {
    const pending = this.#items.filter((i) => i.status === 'queued' || i.status === 'sending');
    if (pending.length >= this.#options.maxItems) {
      throw new OutboxFullError(`${this.#options.maxItems} messages are already waiting.`);
    }
    const item: OutboxItem = {
      id: this.#newId(),
      text,
      status: 'queued',
      createdAt: this.#clock.now(),
      error: null,
    };
    this.#items.push(item);
    this.#onChange(item);
    return item;
  }

  /** The next item to send, after failing any that waited too long. */
  next(): OutboxItem | undefined {
    this.expire();
    return this.#items.find((i) => i.status === 'queued');
  }

  /** Whether an item is on the socket right now. */
  get inFlight(): boolean {
    return this.#items.some((i) => i.status === 'sending');
  }

  markSending(id: string): OutboxItem {
    return this.#update(id, { status: 'sending', error: null });
  }

  markSent(id: string): OutboxItem {
    const item = this.#update(id, { status: 'sent', error: null });
    this.#trim();
    return item;
  }

  markFailed(id: string, error: string): OutboxItem {
    return this.#update(id, { status: 'failed', error });
  }

  /** The socket died before writing: back to the queue, keeping its place. */
  requeue(id: string): OutboxItem {
    return this.#update(id, { status: 'queued', error: null });
  }

  /** A failed item the user retries: queued again, with a fresh age, at the end. */
  retry(id: string): OutboxItem {
    const item = this.get(id);
    if (!item || item.status !== 'failed') throw new Error(`No failed message ${id} to retry.`);
    this.#items = this.#items.filter((i) => i.id !== id);
    const again: OutboxItem = {
      ...item,
      status: 'queued',
      error: null,
      createdAt: this.#clock.now(),
    };
    this.#items.push(again);
    this.#onChange(again);
    return again;
  }

  get(id: string): OutboxItem | undefined {
    return this.#items.find((i) => i.id === id);
  }

  items(): readonly OutboxItem[] {
    return [...this.#items];
  }

  /** Fail queued items older than the age bound. */
  expire(): void {
    const limit = this.#clock.now() - this.#options.maxAgeMs;
    for (const item of this.#items) {
      if (item.status === 'queued' && item.createdAt < limit) {
        this.#update(item.id, {
          status: 'failed',
          error: 'Not sent in time; the server stayed unreachable.',
        });
      }
    }
  }

  #update(id: string, patch: Pick<OutboxItem, 'status' | 'error'>): OutboxItem {
    const index = this.#items.findIndex((i) => i.id === id);
    const current = this.#items[index];
    if (!current) throw new Error(`Unknown outbox item ${id}`);
    const next: OutboxItem = { ...current, ...patch };
    this.#items[index] = next;
    this.#onChange(next);
    return next;
  }

  #trim(): void {
    const finished = this.#items.filter((i) => i.status === 'sent');
    const excess = finished.length - this.#options.keepFinished;
    if (excess <= 0) return;
    const drop = new Set(finished.slice(0, excess).map((i) => i.id));
    this.#items = this.#items.filter((i) => !drop.has(i.id));
  }
}
