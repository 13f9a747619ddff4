/**
 * The turn in progress: what started it, when the server reacted, a silence watchdog for
 * servers that never finish a turn, and a quieter alarm that asks whether the server is still
 * there at all (the session answers it with a ping, which a thinking server still answers).
 */
import type { TurnTimings } from '../../../shared/assistant.ts';
import type { Clock, TimerHandle } from '../util/clock.ts';

export class Turn {
  readonly kind: 'text' | 'voice';
  readonly startedAt: number;
  /** The outbox item a typed turn carries, so the server's first reaction can confirm it. */
  outboxId: string | null = null;
  replyId: string | null = null;
  replyStarted = false;
  #firstResponseAt: number | null = null;
  #firstSentenceAt: number | null = null;
  #firstAudioAt: number | null = null;
  readonly #clock: Clock;

  constructor(kind: 'text' | 'voice', clock: Clock) {
    this.kind = kind;
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

export interface TurnTrackerOptions {
  /** A turn this long without a word from the server is given up (`onSilent`). */
  readonly silenceMs: number;
  readonly onSilent: () => void;
  /** Every this long without a word from the server, `onQuiet` asks whether it is alive. */
  readonly quietMs: number;
  readonly onQuiet: () => void;
  /** A turn began or ended. */
  readonly onInFlightChanged: (inFlight: boolean) => void;
}

export class TurnTracker {
  readonly #clock: Clock;
  readonly #options: TurnTrackerOptions;
  #current: Turn | null = null;
  #watchdog: TimerHandle | null = null;
  #quiet: TimerHandle | null = null;
  /** When the server last did something in this turn. */
  #heardAt = 0;
  /** When `onQuiet` last asked; the next question waits a full `quietMs` after it. */
  #askedAt = 0;

  constructor(clock: Clock, options: TurnTrackerOptions) {
    this.#clock = clock;
    this.#options = options;
  }

  get current(): Turn | null {
    return this.#current;
  }

  begin(kind: 'text' | 'voice'): Turn {
    const wasInFlight = this.#current !== null;
    this.#current = new Turn(kind, this.#clock);
    this.touch();
    if (!wasInFlight) this.#options.onInFlightChanged(true);
    return this.#current;
  }

  /**
   * The server did something: the silence watchdog and the quiet alarm count from now. A reply
   * touches this with each of its ~17 audio frames a second, so the alarms are not re-armed
   * here: an alarm that fires before its time (the server spoke since it was set) sets itself
   * again for what is left.
   */
  touch(): void {
    if (!this.#current) return;
    this.#heardAt = this.#clock.now();
    if (!this.#watchdog) this.#armWatchdog();
    if (!this.#quiet) this.#armQuiet();
  }

  end(): Turn | null {
    const turn = this.#current;
    this.#current = null;
    this.#stopWatchdog();
    if (turn) this.#options.onInFlightChanged(false);
    return turn;
  }

  clear(): void {
    this.end();
  }

  #armWatchdog(): void {
    const dueAt = this.#heardAt + this.#options.silenceMs;
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = null;
      if (!this.#current) return;
      if (this.#clock.now() < this.#heardAt + this.#options.silenceMs) this.#armWatchdog();
      else this.#options.onSilent();
    }, dueAt - this.#clock.now());
  }

  #armQuiet(): void {
    const quietDueAt = (): number => Math.max(this.#heardAt, this.#askedAt) + this.#options.quietMs;
    this.#quiet = this.#clock.setTimeout(() => {
      this.#quiet = null;
      if (!this.#current) return;
      const now = this.#clock.now();
      if (now >= quietDueAt()) {
        this.#askedAt = now;
        this.#options.onQuiet();
      }
      if (!this.#quiet && this.#current) this.#armQuiet();
    }, quietDueAt() - this.#clock.now());
  }

  #stopWatchdog(): void {
    if (this.#watchdog) this.#clock.clearTimeout(this.#watchdog);
    if (this.#quiet) this.#clock.clearTimeout(this.#quiet);
    this.#watchdog = null;
    this.#quiet = null;
  }
}
