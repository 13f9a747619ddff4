import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../../shared/session-events.ts';
import { Outbox, OutboxFullError } from '../../../main/core/connection/outbox.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function setup(options = { maxItems: 3, maxAgeMs: 60_000, keepFinished: 2 }) {
  const clock = new ManualClock();
  const changes: OutboxItem[] = [];
  let n = 0;
  const outbox = new Outbox(
    clock,
    (item) => changes.push(item),
    () => `m${++n}`,
    options,
  );
  return { clock, changes, outbox };
}

describe('Outbox', () => {
  it('hands out queued items in order, one status change at a time', () => {
    const { outbox, changes } = setup();
    outbox.enqueue('one');
    outbox.enqueue('two');
    const first = outbox.next();
    expect(first?.text).toBe('one');
    outbox.markSending(first!.id);
    expect(outbox.inFlight).toBe(true);
    outbox.markSent(first!.id);
    expect(outbox.next()?.text).toBe('two');
    expect(changes.map((c) => `${c.text}:${c.status}`)).toEqual([
      'one:queued',
      'two:queued',
      'one:sending',
      'one:sent',
    ]);
  });

  it('puts an item the socket never wrote back at the head of the line', () => {
    const { outbox } = setup();
    const a = outbox.enqueue('a');
    outbox.enqueue('b');
    outbox.markSending(a.id);
    outbox.requeue(a.id);
    expect(outbox.next()?.id).toBe(a.id);
  });

  it('refuses more than maxItems waiting messages', () => {
    const { outbox } = setup();
    outbox.enqueue('1');
    outbox.enqueue('2');
    outbox.enqueue('3');
    expect(() => outbox.enqueue('4')).toThrow(OutboxFullError);
  });

  it('expires items that waited longer than maxAge instead of sending them late', () => {
    const { outbox, clock } = setup();
    const old = outbox.enqueue('old');
    expect(outbox.nextExpiryAt()).toBe(clock.now() + 60_000);
    clock.advance(61_000);
    const fresh = outbox.enqueue('fresh');
    expect(outbox.next()?.id).toBe(fresh.id);
    expect(outbox.get(old.id)?.status).toBe('expired');
  });

  it('applies a shorter age limit to items already waiting', () => {
    const { outbox, clock } = setup();
    const item = outbox.enqueue('a');
    clock.advance(20_000);
    outbox.setMaxAge(10_000);
    expect(outbox.next()).toBeUndefined();
    expect(outbox.get(item.id)?.status).toBe('expired');
  });

  it('retries an expired item at the end of the queue', () => {
    const { outbox, clock } = setup();
    const a = outbox.enqueue('a');
    clock.advance(61_000);
    outbox.expire();
    const b = outbox.enqueue('b');
    const again = outbox.retry(a.id);
    expect(again.status).toBe('queued');
    expect(outbox.next()?.id).toBe(b.id);
    expect(() => outbox.retry(b.id)).toThrow();
  });

  it('shows a refusal with the server’s words and never offers it again', () => {
    const { outbox } = setup();
    const a = outbox.enqueue('a long text');
    outbox.markSending(a.id);
    const refusal = { code: 'messageRefused', text: 'Error: detect is for wake words' } as const;
    outbox.markRefused(a.id, refusal);
    expect(outbox.get(a.id)).toMatchObject({ status: 'refused', error: refusal });
    expect(outbox.next()).toBeUndefined();
    expect(() => outbox.retry(a.id)).toThrow(/too late to resend/);
  });

  it('cancels and edits items that have not left, and refuses to touch one on the wire', () => {
    const { outbox, changes } = setup();
    const a = outbox.enqueue('a');
    const b = outbox.enqueue('b');
    expect(outbox.edit(b.id, 'b2').text).toBe('b2');
    expect(outbox.cancel(a.id).status).toBe('cancelled');
    expect(outbox.get(a.id)).toBeUndefined();
    expect(changes.at(-1)).toMatchObject({ id: a.id, status: 'cancelled' });
    const next = outbox.next();
    expect(next).toMatchObject({ id: b.id, text: 'b2' });
    outbox.markSending(b.id);
    expect(() => outbox.edit(b.id, 'b3')).toThrow(/too late to edit/);
    expect(() => outbox.cancel(b.id)).toThrow(/too late to cancel/);
  });

  it('restores unsettled items of an earlier run, an unconfirmed one queued again', () => {
    const { outbox, clock } = setup();
    const now = clock.now();
    outbox.restore([
      { id: 'r1', text: 'was on the wire', status: 'sending', createdAt: now, error: null },
      { id: 'r2', text: 'old', status: 'expired', createdAt: now - 120_000, error: null },
      { id: 'r3', text: 'done', status: 'sent', createdAt: now, error: null },
    ]);
    expect(outbox.items().map((i) => `${i.id}:${i.status}`)).toEqual(['r1:queued', 'r2:expired']);
    expect(outbox.next()?.id).toBe('r1');
  });

  it('keeps only a bounded number of finished items', () => {
    const { outbox } = setup({ maxItems: 10, maxAgeMs: 60_000, keepFinished: 2 });
    for (const text of ['a', 'b', 'c', 'd']) {
      const item = outbox.enqueue(text);
      outbox.markSending(item.id);
      outbox.markSent(item.id);
    }
    expect(outbox.items().map((i) => i.text)).toEqual(['c', 'd']);
  });
});
