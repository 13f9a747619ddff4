/**
 * Turns the raw key-down/key-up stream of one hotkey into talk gestures: hold = push-to-talk,
 * double-tap = hands-free. Pure and clock-driven, so every timing is testable without a keyboard.
 */
import type { Clock, TimerHandle } from '../core/util/clock.ts';

/**
 * How long the key must stay down before it counts as a hold. Shorter presses are taps; 300 ms
 * sits above a deliberate tap (~100–200 ms) and below the pause people leave before speaking.
 */
export const HOLD_THRESHOLD_MS = 300;
/** A second press this soon after a tap's release makes a double-tap. */
export const DOUBLE_TAP_WINDOW_MS = 400;

export type HoldGesture = 'holdStarted' | 'holdEnded' | 'doubleTapped';

export interface HoldDetectorOptions {
  readonly clock: Clock;
  readonly onGesture: (gesture: HoldGesture) => void;
  /**
   * With double-tap off, a press is a hold from its first instant (no threshold to wait for,
   * so push-to-talk starts without delay). With it on, the key must be held for the threshold,
   * because a tap that opened a listen turn would send the server a turn for every half of a
   * double-tap.
   */
  readonly doubleTap: boolean;
  readonly holdThresholdMs?: number;
  readonly doubleTapWindowMs?: number;
}

type Phase =
  | { readonly kind: 'up'; readonly lastTapUpAt: number | null }
  | { readonly kind: 'pressed'; readonly timer: TimerHandle | null }
  | { readonly kind: 'holding' }
  /** The second press of a double-tap: already acted on, its release means nothing. */
  | { readonly kind: 'consumed' };

/** One detector per hold key. Feed it the key's down/up events (other keys filtered out). */
export class HoldDetector {
  readonly #clock: Clock;
  readonly #onGesture: (gesture: HoldGesture) => void;
  readonly #doubleTap: boolean;
  readonly #holdThresholdMs: number;
  readonly #doubleTapWindowMs: number;
  #phase: Phase = { kind: 'up', lastTapUpAt: null };

  constructor(options: HoldDetectorOptions) {
    this.#clock = options.clock;
    this.#onGesture = options.onGesture;
    this.#doubleTap = options.doubleTap;
    this.#holdThresholdMs = options.holdThresholdMs ?? HOLD_THRESHOLD_MS;
    this.#doubleTapWindowMs = options.doubleTapWindowMs ?? DOUBLE_TAP_WINDOW_MS;
  }

  /** The key went down. Repeats while it is held (OS auto-repeat) are ignored. */
  keyDown(): void {
    const phase = this.#phase;
    if (phase.kind !== 'up') return;
    if (!this.#doubleTap) {
      this.#enterHolding();
      return;
    }
    const now = this.#clock.now();
    if (phase.lastTapUpAt !== null && now - phase.lastTapUpAt <= this.#doubleTapWindowMs) {
      this.#phase = { kind: 'consumed' };
      this.#onGesture('doubleTapped');
      return;
    }
    const timer = this.#clock.setTimeout(() => {
      if (this.#phase.kind === 'pressed') this.#enterHolding();
    }, this.#holdThresholdMs);
    this.#phase = { kind: 'pressed', timer };
  }

  /** The key went up. */
  keyUp(): void {
    const phase = this.#phase;
    switch (phase.kind) {
      case 'up':
        return;
      case 'pressed':
        if (phase.timer) this.#clock.clearTimeout(phase.timer);
        this.#phase = { kind: 'up', lastTapUpAt: this.#clock.now() };
        return;
      case 'holding':
        this.#phase = { kind: 'up', lastTapUpAt: null };
        this.#onGesture('holdEnded');
        return;
      case 'consumed':
        this.#phase = { kind: 'up', lastTapUpAt: null };
        return;
    }
  }

  /** Forget any press in progress (hook stopped, key remapped); a running hold is ended. */
  reset(): void {
    const phase = this.#phase;
    if (phase.kind === 'pressed' && phase.timer) this.#clock.clearTimeout(phase.timer);
    this.#phase = { kind: 'up', lastTapUpAt: null };
    if (phase.kind === 'holding') this.#onGesture('holdEnded');
  }

  #enterHolding(): void {
    this.#phase = { kind: 'holding' };
    this.#onGesture('holdStarted');
  }
}
