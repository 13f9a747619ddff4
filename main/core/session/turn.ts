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

  /** The server did something: restart the silence watchdog and the quiet alarm. */
  touch(): void {
    if (!this.#current) return;
    this.#stopWatchdog();
    this.#watchdog = this.#clock.setTimeout(() => {
      this.#watchdog = null;
      if (this.#current) this.#options.onSilent();
    }, this.#options.silenceMs);
    this.#armQuiet();
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

  #armQuiet(): void {
    if (this.#quiet) this.#clock.clearTimeout(this.#quiet);
    this.#quiet = this.#clock.setTimeout(() => {
      this.#quiet = null;
      if (!this.#current) return;
      this.#options.onQuiet();
      this.#armQuiet();
    }, this.#options.quietMs);
  }

  #stopWatchdog(): void {
    if (this.#watchdog) this.#clock.clearTimeout(this.#watchdog);
    if (this.#quiet) this.#clock.clearTimeout(this.#quiet);
    this.#watchdog = null;
    this.#quiet = null;
  }
}
