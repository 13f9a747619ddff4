/**
 * "Ask" consent for device tools through the window: each question becomes a `toolPrompted`
 * event and waits for `tools:answer`; a withdrawn question (timeout, new session) closes it.
 * When the window is hidden a notification points the user to it.
 *
 * One question at a time: while one is open every other call is answered `busy` without being
 * shown, so a server that fires thousands of "ask" calls gets one prompt on screen, not a
 * wall of them the user must dismiss one by one (issue 11, finding 10). One core hosts one
 * session at a time, so this is one open question per session.
 */
import type { AppEvent, ToolPrompt } from '../../../shared/ipc.ts';
import type { ConsentPrompt, PromptAnswer } from '../mcp/consent.ts';

export class ToolPrompts {
  readonly #emit: (event: AppEvent) => void;
  readonly #notifyHidden: (prompt: ToolPrompt) => void;
  readonly #pending = new Map<
    string,
    { prompt: ToolPrompt; resolve: (allowed: boolean) => void }
  >();

  constructor(emit: (event: AppEvent) => void, notifyHidden: (prompt: ToolPrompt) => void) {
    this.#emit = emit;
    this.#notifyHidden = notifyHidden;
  }

  /** The ConsentGate's prompt. */
  readonly prompt: ConsentPrompt = (request, signal) => {
    if (this.#pending.size > 0) return Promise.resolve('busy');
    return new Promise<PromptAnswer>((resolve) => {
      const close = (allowed: boolean): void => {
        if (!this.#pending.delete(request.id)) return;
        this.#emit({ type: 'toolPromptClosed', id: request.id });
        resolve(allowed);
      };
      this.#pending.set(request.id, { prompt: request, resolve: close });
      signal.addEventListener('abort', () => close(false), { once: true });
      this.#emit({ type: 'toolPrompted', prompt: request });
      this.#notifyHidden(request);
    });
  };

  /** The user's answer from the window. Unknown ids (already timed out) are ignored. */
  answer(id: string, allow: boolean): void {
    this.#pending.get(id)?.resolve(allow);
  }

  /** Questions still open, for a window that reloads. */
  open(): readonly ToolPrompt[] {
    return [...this.#pending.values()].map((p) => p.prompt);
  }
}
