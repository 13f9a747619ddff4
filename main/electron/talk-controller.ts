/**
 * What the hotkeys and the tray's Talk item mean for the session. One key serves both styles:
 * hold = push-to-talk (manual mode for that turn), double-tap = hands-free (auto mode), and the
 * toggle shortcut starts or stops whichever is running. Calls are chained, so a release that
 * arrives while the start is still in flight is sent after it, never before.
 */
import type { AssistantState, ListenMode } from '../../shared/assistant.ts';
import type { AppEvent } from '../../shared/ipc.ts';
import type { IpcHandlers } from '../core/app/handlers.ts';
import type { HoldGesture } from './hold-detector.ts';

export type TalkHandlers = Pick<
  IpcHandlers,
  'session:startTalking' | 'session:stopTalking' | 'session:setMode'
>;

export interface TalkControllerOptions {
  readonly handlers: TalkHandlers;
  readonly initialMode: ListenMode;
  /** Tells the window a talk key went down or up (for its push-to-talk cue). */
  readonly emit: (event: AppEvent) => void;
  readonly log: (message: string, error: unknown) => void;
}

const ACTIVE: ReadonlySet<AssistantState> = new Set(['listening', 'thinking', 'speaking']);

export class TalkController {
  readonly #options: TalkControllerOptions;
  #assistant: AssistantState = 'idle';
  #mode: ListenMode;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: TalkControllerOptions) {
    this.#options = options;
    this.#mode = options.initialMode;
  }

  /** Follows the session's state from the app's event stream. */
  observe(event: AppEvent): void {
    if (event.type === 'assistantChanged') this.#assistant = event.next;
    if (event.type === 'modeChanged') this.#mode = event.mode;
  }

  /**
   * The toggle shortcut, the tray's Talk item, `--toggle-talk`: a hands-free conversation that
   * is running stops; in push-to-talk, listening stops and anything else starts a turn (while
   * Lumi speaks, that interrupts her).
   */
  toggle(): void {
    const running =
      this.#mode === 'manual' ? this.#assistant === 'listening' : ACTIVE.has(this.#assistant);
    this.#enqueue(running ? [this.#stop] : [this.#start]);
  }

  /** A gesture of the hold key. */
  gesture(gesture: HoldGesture): void {
    switch (gesture) {
      case 'holdStarted':
        this.#options.emit({ type: 'hotkeyPressed', action: 'talkDown' });
        this.#enqueue([this.#modeStep('manual'), this.#start]);
        return;
      case 'holdEnded':
        this.#options.emit({ type: 'hotkeyPressed', action: 'talkUp' });
        this.#enqueue([this.#stop]);
        return;
      case 'doubleTapped':
        if (this.#mode === 'auto' && ACTIVE.has(this.#assistant)) {
          this.#enqueue([this.#stop]);
        } else {
          this.#enqueue([this.#modeStep('auto'), this.#start]);
        }
        return;
    }
  }

  /** Resolves when every call queued so far has settled (for tests and quitting). */
  idle(): Promise<void> {
    return this.#chain;
  }

  readonly #start = async (): Promise<void> => {
    await this.#options.handlers['session:startTalking'](undefined);
  };

  readonly #stop = async (): Promise<void> => {
    await this.#options.handlers['session:stopTalking'](undefined);
  };

  #modeStep(mode: ListenMode): () => Promise<void> {
    return async () => {
      if (this.#mode === mode) return;
      await this.#options.handlers['session:setMode']({ mode });
      this.#mode = mode;
    };
  }

  #enqueue(steps: readonly (() => Promise<void>)[]): void {
    this.#chain = this.#chain.then(async () => {
      try {
        for (const step of steps) await step();
      } catch (error) {
        this.#options.log('talk hotkey action failed', error);
      }
    });
  }
}
