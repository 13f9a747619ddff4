/**
 * Typed text waiting for the server. Bounded in size and age; every item has an id and a status
 * the front ends show (the statuses are explained at `OutboxStatus`).
 *
 * A message counts as delivered only when the server shows it got it, not when the socket wrote
 * it: a frozen server's kernel still accepts our bytes. So an item is `sending` from the write
 * until the server's first reaction (the session confirms it, session.ts) and goes back to the
 * head of the queue, with the same id, when the connection drops before that. Duplicates need the
 * server to have read the message and died within the one round trip before its first reaction
 * (`stt` comes first and at once on the xiaozhi servers); the original Lumi dialect also carries
 * the item's id on every re-send, so a server can drop a repeat.
 *
 * Items older than the age limit are never sent on their own (`expired`): nobody wants an answer
 * to a question typed an hour ago, unasked. Queued items can be cancelled or edited until they
 * leave.
 */
import type { Problem } from '../../../shared/problems.ts';
import type { OutboxItem, OutboxStatus } from '../../../shared/session-events.ts';
import type { Clock } from '../util/clock.ts';
import { MINUTE } from '../util/clock.ts';

export interface OutboxOptions {
  /** Items kept at most waiting (queued and sending); more are refused. */
  readonly maxItems: number;
  /** A queued item older than this expires instead of being sent late. */
  readonly maxAgeMs: number;
  /** Finished items kept for display. */
  readonly keepFinished: number;
}

export const DEFAULT_OUTBOX: OutboxOptions = {
  maxItems: 50,
  maxAgeMs: 10 * MINUTE,
  keepFinished: 50,
};

/** Statuses that still need the server or the user: kept across restarts (outbox-store.ts). */
const UNSETTLED: ReadonlySet<OutboxStatus> = new Set(['queued', 'sending', 'failed', 'expired']);
/** Statuses the user may resend from. */
const RESENDABLE: ReadonlySet<OutboxStatus> = new Set(['failed', 'expired']);
/** Statuses the user may still cancel or edit: the text has not left. */
const CHANGEABLE: ReadonlySet<OutboxStatus> = new Set(['queued', 'failed', 'expired']);

export class OutboxFullError extends Error {
  readonly code = 'outbox_full';
}

/** A change the item's status does not allow (e.g. editing text already on the wire). */
export class OutboxStateError extends Error {
  readonly code = 'not_ready';
}

/** Whether an item still needs the server or the user (it is kept across restarts). */
export function isUnsettled(item: OutboxItem): boolean {
  return UNSETTLED.has(item.status);
}

export class Outbox {
  readonly #clock: Clock;
  readonly #onChange: (item: OutboxItem) => void;
  readonly #newId: () => string;
  #options: OutboxOptions;
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

  /** Change the age limit (a setting); it applies to items already waiting. */
  setMaxAge(maxAgeMs: number): void {
    this.#options = { ...this.#options, maxAgeMs };
  }

  /**
   * Take back items kept from an earlier run. None of them was confirmed, so one that was on
   * the wire is queued again; the age limit still applies to when it was typed.
   */
  restore(items: readonly OutboxItem[]): void {
    const known = new Set(this.#items.map((item) => item.id));
    for (const item of items) {
      if (known.has(item.id) || !isUnsettled(item)) continue;
      this.#items.push(item.status === 'sending' ? { ...item, status: 'queued' } : item);
    }
  }

  /** Queue typed text; throws OutboxFullError when too many are waiting. */
  enqueue(text: string): OutboxItem {
    const waiting = this.#items.filter((i) => i.status === 'queued' || i.status === 'sending');
    if (waiting.length >= this.#options.maxItems) {
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

  /** The next item to send, after expiring any that waited too long. */
  next(): OutboxItem | undefined {
    this.expire();
    return this.#items.find((i) => i.status === 'queued');
  }

  /** Whether an item is on the wire, waiting for the server to confirm it. */
  get inFlight(): boolean {
    return this.#items.some((i) => i.status === 'sending');
  }

  /** Handed to the socket: delivered only once the server confirms it. */
  markSending(id: string): OutboxItem {
    return this.#update(id, { status: 'sending', error: null });
  }

  /** The server showed it got the item (or the user stopped its turn). */
  markSent(id: string): OutboxItem {
    const item = this.#update(id, { status: 'sent', error: null });
    this.#trim();
    return item;
  }

  /** The server answered with an alert instead of a reply: shown, never retried. */
  markRefused(id: string, error: Problem): OutboxItem {
    const item = this.#update(id, { status: 'refused', error });
    this.#trim();
    return item;
  }

  /** The server kept silent about the item until the turn timed out. */
  markFailed(id: string): OutboxItem {
    return this.#update(id, { status: 'failed', error: null });
  }

  /** The connection dropped before the server confirmed the item: back to the head of the line. */
  requeue(id: string): OutboxItem {
    return this.#update(id, { status: 'queued', error: null });
  }

  /** A failed or expired item the user resends: queued again, with a fresh age, at the end. */
  retry(id: string): OutboxItem {
    const item = this.#changeable(id, RESENDABLE, 'resend');
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

  /** The user takes back an item that has not left. */
  cancel(id: string): OutboxItem {
    this.#changeable(id, CHANGEABLE, 'cancel');
    const item = this.#update(id, { status: 'cancelled', error: null });
    this.#items = this.#items.filter((i) => i.id !== id);
    return item;
  }

  /** The user rewrites an item that has not left; it keeps its place and status. */
  edit(id: string, text: string): OutboxItem {
    const item = this.#changeable(id, CHANGEABLE, 'edit');
    return this.#put({ ...item, text });
  }

  get(id: string): OutboxItem | undefined {
    return this.#items.find((i) => i.id === id);
  }

  items(): readonly OutboxItem[] {
    return [...this.#items];
  }

  /** Expire queued items older than the age limit. */
  expire(): void {
    const limit = this.#clock.now() - this.#options.maxAgeMs;
    for (const item of this.#items) {
      if (item.status === 'queued' && item.createdAt < limit) {
        this.#update(item.id, { status: 'expired', error: null });
      }
    }
  }

  /** When the oldest queued item will expire (epoch ms), or null when none is queued. */
  nextExpiryAt(): number | null {
    const queued = this.#items.filter((i) => i.status === 'queued').map((i) => i.createdAt);
    return queued.length === 0 ? null : Math.min(...queued) + this.#options.maxAgeMs;
  }

  #changeable(id: string, allowed: ReadonlySet<OutboxStatus>, action: string): OutboxItem {
    const item = this.get(id);
    if (!item) throw new OutboxStateError(`No message ${id} to ${action}.`);
    if (!allowed.has(item.status)) {
      throw new OutboxStateError(`Message ${id} is ${item.status}: too late to ${action} it.`);
    }
    return item;
  }

  #update(id: string, patch: Pick<OutboxItem, 'status' | 'error'>): OutboxItem {
    const current = this.get(id);
    if (!current) throw new Error(`Unknown outbox item ${id}`);
    return this.#put({ ...current, ...patch });
  }

  #put(next: OutboxItem): OutboxItem {
    const index = this.#items.findIndex((i) => i.id === next.id);
    this.#items[index] = next;
    this.#onChange(next);
    return next;
  }

  #trim(): void {
    const finished = this.#items.filter((i) => !isUnsettled(i));
    const excess = finished.length - this.#options.keepFinished;
    if (excess <= 0) return;
    const drop = new Set(finished.slice(0, excess).map((i) => i.id));
    this.#items = this.#items.filter((i) => !drop.has(i.id));
  }
}
