import { describe, expect, it } from 'vitest';
import { TurnTracker } from '../../../main/core/session/turn.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const SILENCE_MS = 30_000;
const QUIET_MS = 5_000;
/** A reply's audio frames come every 60 ms. */
const FRAME_MS = 60;

function tracker(): { clock: ManualClock; turns: TurnTracker; silent: number[]; asked: number[] } {
  const clock = new ManualClock();
  const silent: number[] = [];
  const asked: number[] = [];
  const turns = new TurnTracker(clock, {
    silenceMs: SILENCE_MS,
    onSilent: () => silent.push(clock.now()),
    quietMs: QUIET_MS,
    onQuiet: () => asked.push(clock.now()),
    onInFlightChanged: () => undefined,
  });
  return { clock, turns, silent, asked };
}

describe('TurnTracker', () => {
  it('gives a turn up a full silence after the last word from the server, however many came', () => {
    const t = tracker();
    t.turns.begin('text');
    for (let i = 0; i < 1_000; i++) {
      t.clock.advance(FRAME_MS);
      t.turns.touch();
    }
    const lastHeard = t.clock.now();
    t.clock.advance(SILENCE_MS - 1);
    expect(t.silent).toEqual([]);
    t.clock.advance(1);
    expect(t.silent).toEqual([lastHeard + SILENCE_MS]);
  });

  it('asks whether the server is there every quiet interval of silence, not while it talks', () => {
    const t = tracker();
    t.turns.begin('voice');
    for (let i = 0; i < 200; i++) {
      t.clock.advance(FRAME_MS);
      t.turns.touch();
    }
    expect(t.asked).toEqual([]);
    const lastHeard = t.clock.now();
    t.clock.advance(3 * QUIET_MS);
    expect(t.asked).toEqual([1, 2, 3].map((n) => lastHeard + n * QUIET_MS));
  });

  it('keeps its two alarms while frames arrive instead of setting new ones per frame', () => {
    const t = tracker();
    let timersSet = 0;
    const setTimeout = t.clock.setTimeout.bind(t.clock);
    t.clock.setTimeout = (callback, ms) => {
      timersSet++;
      return setTimeout(callback, ms);
    };
    t.turns.begin('voice');
    for (let i = 0; i < 100; i++) {
      t.clock.advance(FRAME_MS);
      t.turns.touch();
    }
    // The first two, and the quiet alarm set again when it came due at 5 s, early (old code: 200).
    expect(timersSet).toBe(3);
    expect(t.clock.pendingTimers).toBe(2);
    t.turns.end();
    expect(t.clock.pendingTimers).toBe(0);
    t.clock.advance(SILENCE_MS);
    expect(t.silent).toEqual([]);
  });
});
