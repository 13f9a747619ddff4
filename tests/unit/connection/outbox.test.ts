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

  it('fails items that waited longer than maxAge instead of sending them late', () => {
    const { outbox, clock } = setup();
    const old = outbox.enqueue('old');
    clock.advance(61_000);
    const fresh = outbox.enqueue('fresh');
    expect(outbox.next()?.id).toBe(fresh.id);
    expect(outbox.get(old.id)?.status).toBe('failed');
    expect(outbox.get(old.id)?.error).toMatch(/not sent in time/i);
  });

  it('retries a failed item at the end of the queue', () => {
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
