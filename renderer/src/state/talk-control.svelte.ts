import type { Result } from '../../../shared/result.ts';
import type { LumiApi } from '../../../shared/ipc.ts';

/**
 * Pairs every `startTalking` with exactly one `stopTalking`, whichever input started it (the
 * talk button, the window key) and however it ended (release, pointer leaving, focus lost).
 */
export class TalkControl {
  /** The user holds a talk control in this window. */
  holding = $state(false);
  /** Main reports the global hold-to-talk hotkey is down. */
  hotkeyHeld = $state(false);
  readonly #api: LumiApi;
  readonly #report: (result: Result<unknown>) => void;

  /** @param report shows a failed call to the user */
  constructor(api: LumiApi, report: (result: Result<unknown>) => void) {
    this.#api = api;
    this.#report = report;
  }

  /** Whether talking is in progress from this window or the global hotkey. */
  get active(): boolean {
    return this.holding || this.hotkeyHeld;
  }

  press(): void {
    if (this.holding) return;
    this.holding = true;
    void this.#api.startTalking().then(this.#report);
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    void this.#api.stopTalking().then(this.#report);
  }

  /** Hands-free: a tap starts listening, and a tap while listening stops it. */
  toggle(listening: boolean): void {
    const call = listening ? this.#api.stopTalking() : this.#api.startTalking();
    void call.then(this.#report);
  }
}
