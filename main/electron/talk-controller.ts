/**
 * What the hotkeys and the tray's Talk item mean for the session. One key serves both styles:
 * hold = push-to-talk (manual mode for that turn), double-tap = hands-free (auto mode), and the
 * toggle shortcut starts or stops whichever is running. Calls are chained, so a release that
 * arrives while the start is still in flight is sent after it, never before. The assistant state
 * and the mode are read from the core when a key acts, never kept here (the core derives them).
 */
import type { AssistantState, ListenMode } from '../../shared/assistant.ts';
import type { AppEvent, Snapshot } from '../../shared/ipc.ts';
import type { IpcHandlers } from '../core/app/handlers.ts';
import type { HoldGesture } from './hold-detector.ts';

export type TalkHandlers = Pick<
  IpcHandlers,
  'session:startTalking' | 'session:stopTalking' | 'session:setMode'
>;

export interface TalkControllerOptions {
  readonly handlers: TalkHandlers;
  /** The core's current assistant state and mode. */
  readonly state: () => Pick<Snapshot, 'assistant' | 'mode'>;
  /** Tells the window a talk key went down or up (for its push-to-talk cue). */
  readonly emit: (event: AppEvent) => void;
  readonly log: (message: string, error: unknown) => void;
}

const ACTIVE: ReadonlySet<AssistantState> = new Set(['listening', 'thinking', 'speaking']);

export class TalkController {
  readonly #options: TalkControllerOptions;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: TalkControllerOptions) {
    this.#options = options;
  }

  /**
   * The toggle shortcut, the tray's Talk item, `--toggle-talk`: a hands-free conversation that
   * is running stops; in push-to-talk, listening stops and anything else starts a turn (while
   * Lumi speaks, that interrupts her).
   */
  toggle(): void {
    const { assistant, mode } = this.#options.state();
    const running = mode === 'manual' ? assistant === 'listening' : ACTIVE.has(assistant);
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
      case 'doubleTapped': {
        const { assistant, mode } = this.#options.state();
        if (mode === 'auto' && ACTIVE.has(assistant)) {
          this.#enqueue([this.#stop]);
        } else {
          this.#enqueue([this.#modeStep('auto'), this.#start]);
        }
        return;
      }
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
      if (this.#options.state().mode === mode) return;
      await this.#options.handlers['session:setMode']({ mode });
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
