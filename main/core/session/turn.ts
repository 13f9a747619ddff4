/**
 * The turn in progress: what started it, when the server reacted, and a silence watchdog for
 * servers that never finish a turn.
 */
import type { TurnTimings } from '../../../shared/assistant.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';

export class Turn {
  readonly kind: 'text' | 'voice';
  readonly typedText: string | null;
  readonly startedAt: number;
  replyId: string | null = null;
  replyStarted = false;
  #firstResponseAt: number | null = null;
  #firstSentenceAt: number | null = null;
  #firstAudioAt: number | null = null;
  readonly #clock: Clock;

  constructor(kind: 'text' | 'voice', typedText: string | null, clock: Clock) {
    this.kind = kind;
    this.typedText = typedText;
    this.#clock = clock;
    this.startedAt = clock.now();
  }

  markResponse(): void {
    this.#firstResponseAt ??= this.#clock.now();
  }

  markSentence(): void {
    this.#firstSentenceAt ??= this.#clock.now();
  }

  markAudio(at: number): void {
    this.#firstAudioAt ??= at;
  }

  timings(now: number): TurnTimings {
    const since = (at: number | null): number | null => (at === null ? null : at - this.startedAt);
    return {
      firstResponseMs: since(this.#firstResponseAt),
      firstSentenceMs: since(this.#firstSentenceAt),
      firstAudioMs: since(this.#firstAudioAt),
      totalMs: now - this.startedAt,
    };
  }
}

export class TurnTracker {
  readonly #clock: Clock;
  readonly #silenceMs: number;
  readonly #onSilent: () => void;
  #current: Turn | null = null;
  #watchdog: TimerHandle | null = null;

  constructor(clock: Clock, silenceMs: number, onSilent: () => void) {
    this.#clock = clock;
    this.#silenceMs = silenceMs;
    this.#onSilent = onSilent;
  }

  get current(): Turn | null {
    return this.#current;
  }

  begin(kind: 'text' | 'voice', typedText: string | null): Turn {
    this.#current = new Turn(kind, typedText, this.#clock);
    this.touch();
    return this.#current;
  }

  /** The server did something: restart the silence watchdog. */
  touch(): void {
    if (!this.#current) return;
    this.#stopWatchdog();
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = null;
      if (this.#current) this.#onSilent();
    }, this.#silenceMs);
  }

  end(): Turn | null {
    const turn = this.#current;
    this.#current = null;
    this.#stopWatchdog();
    return turn;
  }

  clear(): void {
    this.end();
  }

  #stopWatchdog(): void {
    if (this.#watchdog) this.#clock.clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }
}
