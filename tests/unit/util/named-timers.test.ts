import { describe, expect, it } from 'vitest';
import { NamedTimers } from '../../../main/core/util/named-timers.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

describe('NamedTimers', () => {
  it('keeps one timer per name: setting a name again replaces it', () => {
    const clock = new ManualClock();
    const timers = new NamedTimers<'a' | 'b'>(clock);
    const fired: string[] = [];
    timers.set('a', 100, () => fired.push('a1'));
    timers.set('a', 300, () => fired.push('a2'));
    clock.advance(200);
    expect(fired).toEqual([]);
    clock.advance(100);
    expect(fired).toEqual(['a2']);
    expect(timers.has('a')).toBe(false);
  });

  it('clears everything but the names kept', () => {
    const clock = new ManualClock();
    const timers = new NamedTimers<'a' | 'b' | 'c'>(clock);
    const fired: string[] = [];
    for (const name of ['a', 'b', 'c'] as const) timers.set(name, 10, () => fired.push(name));
    timers.clearAll(['b']);
    clock.advance(50);
    expect(fired).toEqual(['b']);
    expect(clock.pendingTimers).toBe(0);
  });
});
