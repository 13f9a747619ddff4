import { describe, expect, it } from 'vitest';
import { FrameClock } from '../../../main/core/audio/frame-clock.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import type { Clock } from '../../../main/core/util/clock.ts';

/** A clock whose timers fire `lateBy` ms late, as a busy event loop's do. */
function lateClock(base: ManualClock, lateBy: number): Clock {
  return {
    now: () => base.now(),
    setTimeout: (callback, ms) => base.setTimeout(callback, ms + lateBy),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

describe('FrameClock', () => {
  it('schedules tick n at start + n·period even when every timer fires late', () => {
    const base = new ManualClock(0);
    const ticks: { index: number; dueAt: number; firedAt: number }[] = [];
    const clock = new FrameClock(lateClock(base, 7), { periodMs: 60 }, (index, dueAt) =>
      ticks.push({ index, dueAt, firedAt: base.now() }),
    );
    clock.start();
    base.advance(6_000);
    // setInterval would have slipped 7 ms per tick (~700 ms); the schedule has not slipped at all.
    expect(ticks.length).toBeGreaterThanOrEqual(99);
    const last = ticks[ticks.length - 1];
    expect(last?.dueAt).toBe((last?.index ?? 0) * 60);
    for (const tick of ticks) expect(tick.firedAt - tick.dueAt).toBeLessThanOrEqual(7);
  });

  it('catches up on a short stall and re-anchors after a long one', () => {
    const base = new ManualClock(0);
    const ticks: number[] = [];
    const clock = new FrameClock(base, { periodMs: 20, maxLagMs: 500 }, (index) =>
      ticks.push(index),
    );
    clock.start();
    base.advance(100);
    expect(ticks).toEqual([0, 1, 2, 3, 4, 5]);

    // A 200 ms stall: the missed ticks fire at once, so no audio is lost.
    base.block(200);
    base.advance(0);
    expect(ticks.length).toBe(16);

    // A 5 s stall (a suspended laptop): one tick, then the schedule restarts from now.
    ticks.length = 0;
    base.block(5_000);
    base.advance(0);
    expect(ticks.length).toBe(1);
    base.advance(40);
    expect(ticks.length).toBe(3);
    clock.stop();
    base.advance(1_000);
    expect(ticks.length).toBe(3);
    expect(base.pendingTimers).toBe(0);
  });
});
