import { describe, expect, it } from 'vitest';
import {
  DOUBLE_TAP_WINDOW_MS,
  HOLD_THRESHOLD_MS,
  HoldDetector,
  type HoldGesture,
} from '../../../main/electron/hold-detector.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function setup(doubleTap = true) {
  const clock = new ManualClock();
  const gestures: HoldGesture[] = [];
  const detector = new HoldDetector({ clock, doubleTap, onGesture: (g) => gestures.push(g) });
  return { clock, gestures, detector };
}

describe('HoldDetector', () => {
  it('starts push-to-talk once the key is held past the threshold and ends it on release', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(HOLD_THRESHOLD_MS - 1);
    expect(gestures).toEqual([]);
    clock.advance(1);
    expect(gestures).toEqual(['holdStarted']);
    clock.advance(2_000);
    detector.keyUp();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
  });

  it('treats a short tap as nothing on its own', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(120);
    detector.keyUp();
    clock.advance(5_000);
    expect(gestures).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('latches hands-free on a double tap, at the second press, and ignores its release', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(90);
    detector.keyUp();
    clock.advance(DOUBLE_TAP_WINDOW_MS);
    detector.keyDown();
    expect(gestures).toEqual(['doubleTapped']);
    clock.advance(1_000);
    detector.keyUp();
    expect(gestures).toEqual(['doubleTapped']);
  });

  it('does not pair two taps further apart than the window', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(90);
    detector.keyUp();
    clock.advance(DOUBLE_TAP_WINDOW_MS + 1);
    detector.keyDown();
    clock.advance(90);
    detector.keyUp();
    expect(gestures).toEqual([]);
  });

  it('does not count a hold followed by a tap as a double tap', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(HOLD_THRESHOLD_MS + 200);
    detector.keyUp();
    clock.advance(100);
    detector.keyDown();
    clock.advance(80);
    detector.keyUp();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
  });

  it('ignores OS auto-repeat: repeated key-downs while held change nothing', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    for (let i = 0; i < 20; i++) {
      clock.advance(33);
      detector.keyDown();
    }
    expect(gestures).toEqual(['holdStarted']);
    detector.keyUp();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
  });

  it('ignores auto-repeat before the threshold too (the repeats do not restart the timer)', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(250);
    detector.keyDown();
    clock.advance(50);
    expect(gestures).toEqual(['holdStarted']);
  });

  it('without double-tap, holds from the first instant', () => {
    const { clock, gestures, detector } = setup(false);
    detector.keyDown();
    expect(gestures).toEqual(['holdStarted']);
    clock.advance(60);
    detector.keyUp();
    detector.keyDown();
    detector.keyUp();
    expect(gestures).toEqual(['holdStarted', 'holdEnded', 'holdStarted', 'holdEnded']);
  });

  it('ends a running hold on reset and forgets a pending press', () => {
    const { clock, gestures, detector } = setup();
    detector.keyDown();
    clock.advance(HOLD_THRESHOLD_MS);
    detector.reset();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
    detector.keyDown();
    detector.reset();
    clock.advance(1_000);
    detector.keyUp();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
  });
});
