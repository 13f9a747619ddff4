import { describe, expect, it } from 'vitest';
import { MAX_GAP_PACKETS, PacketOrder } from '../../../main/core/audio/packet-order.ts';

function run(sequences: number[]): { verdicts: string[]; order: PacketOrder } {
  const order = new PacketOrder();
  const verdicts = sequences.map((sequence) => {
    const verdict = order.accept(sequence);
    return verdict.kind === 'play'
      ? `play${verdict.missing > 0 ? `-${verdict.missing}` : ''}`
      : verdict.kind;
  });
  return { verdicts, order };
}

describe('PacketOrder', () => {
  it.each([
    [
      'in order',
      [1, 2, 3, 4],
      ['play', 'play', 'play', 'play'],
      { lost: 0, late: 0, duplicates: 0 },
    ],
    [
      'a duplicate',
      [1, 2, 2, 3],
      ['play', 'play', 'duplicate', 'play'],
      { lost: 0, late: 0, duplicates: 1 },
    ],
    [
      'a gap of one',
      [1, 2, 4, 5],
      ['play', 'play', 'play-1', 'play'],
      { lost: 1, late: 0, duplicates: 0 },
    ],
    ['a gap of three', [1, 5, 6], ['play', 'play-3', 'play'], { lost: 3, late: 0, duplicates: 0 }],
    // Reordered by one: the newer packet plays (its FEC fills the older), the older is late.
    [
      'a reorder',
      [1, 3, 2, 4],
      ['play', 'play-1', 'late', 'play'],
      { lost: 1, late: 1, duplicates: 0 },
    ],
    [
      'a late packet sent twice',
      [1, 3, 2, 2],
      ['play', 'play-1', 'late', 'duplicate'],
      { lost: 1, late: 1, duplicates: 1 },
    ],
    [
      'a stale packet from long ago',
      [10, 11, 3],
      ['play', 'play', 'duplicate'],
      { lost: 0, late: 0, duplicates: 1 },
    ],
    [
      'the first packet sets the base',
      [40, 41],
      ['play', 'play'],
      { lost: 0, late: 0, duplicates: 0 },
    ],
  ])('%s', (_, sequences, verdicts, stats) => {
    const result = run(sequences);
    expect(result.verdicts).toEqual(verdicts);
    expect(result.order.stats).toEqual(stats);
  });

  it('takes a jump beyond MAX_GAP_PACKETS as a new base, not seconds of loss', () => {
    const { verdicts, order } = run([1, 2 + MAX_GAP_PACKETS + 1, 3 + MAX_GAP_PACKETS + 1]);
    expect(verdicts).toEqual(['play', 'play', 'play']);
    expect(order.stats.lost).toBe(0);
  });

  it('plays on across the 32-bit wrap of the sequence instead of dropping the rest as stale', () => {
    const top = 0xffff_ffff;
    const { verdicts, order } = run([top - 1, top, 0, 1, 2]);
    expect(verdicts).toEqual(['play', 'play', 'play', 'play', 'play']);
    expect(order.stats).toEqual({ lost: 0, late: 0, duplicates: 0 });
  });

  it('restarts at a new reply: sequence numbers begin again, counts are cleared', () => {
    const order = new PacketOrder();
    for (const sequence of [1, 2, 4, 5]) order.accept(sequence);
    expect(order.stats.lost).toBe(1);
    order.restart();
    expect(order.stats).toEqual({ lost: 0, late: 0, duplicates: 0 });
    expect(order.accept(1)).toEqual({ kind: 'play', missing: 0 });
    expect(order.accept(2)).toEqual({ kind: 'play', missing: 0 });
  });
});
