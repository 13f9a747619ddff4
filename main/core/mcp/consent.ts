/**
 * Per-tool consent: `allow` runs the call, `deny` refuses it (and hides the tool from
 * tools/list), `ask` puts the question to the user through an injected prompt. A prompt that is
 * not answered in time counts as a refusal; a prompt that is already showing a question answers
 * `busy` at once, so a server cannot stack questions on the user (issue 11, finding 10).
 */
import { randomUUID } from '../util/crypto.ts';
import type { ToolPrompt, ToolPromptPreview } from '../../../shared/ipc.ts';
import type { ToolConsent } from '../../../shared/settings.ts';
import { SECOND, type Clock } from '../util/clock.ts';
import { serverToolName } from './tool-names.ts';

/**
 * How long the user has to answer. xiaozhi-esp32-server gives up on a tool call after 30 s
 * (docs/protocol.md §4.2); refusing at 20 s leaves time for the reply to reach it.
 */
export const CONSENT_TIMEOUT = 20 * SECOND;

/** A prompt's answer: the user's yes (true) or no (false), or `busy` when it asked nobody. */
export type PromptAnswer = boolean | 'busy';

/**
 * Ask the user about one call. Resolve true to allow, `busy` when another question is still
 * open. The signal aborts when the answer is no longer wanted (timeout, session reset), so the
 * window can take its question down.
 */
export type ConsentPrompt = (request: ToolPrompt, signal: AbortSignal) => Promise<PromptAnswer>;

/** What `ask` decided: the call runs only when `allowed`. */
export type ConsentDecision = 'allowed' | 'refused' | 'busy';

export interface ConsentGateOptions {
  /** The user's own choice for a tool, if any (Settings.toolConsent). */
  readonly chosen: (tool: string) => ToolConsent | undefined;
  readonly prompt: ConsentPrompt;
  readonly clock: Clock;
  readonly timeoutMs?: number;
  readonly newId?: () => string;
}

export class ConsentGate {
  readonly #options: ConsentGateOptions;
  readonly #timeoutMs: number;
  readonly #newId: () => string;

  constructor(options: ConsentGateOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? CONSENT_TIMEOUT;
    this.#newId = options.newId ?? randomUUID;
  }

  /** The consent in force for a tool: the user's choice, else the tool's default. */
  consentFor(tool: string, defaultConsent: ToolConsent): ToolConsent {
    return this.#options.chosen(tool) ?? defaultConsent;
  }

  /**
   * Ask the user; `refused` on refusal, on timeout, when the prompt fails, or when `signal`
   * aborts first; `busy` when the prompt is already asking about another call.
   */
  ask(
    tool: string,
    summary: string,
    signal: AbortSignal,
    preview: ToolPromptPreview | null = null,
  ): Promise<ConsentDecision> {
    const { clock, prompt } = this.#options;
    const request: ToolPrompt = {
      id: this.#newId(),
      tool,
      summary,
      expiresAt: clock.now() + this.#timeoutMs,
      ...(preview === null ? {} : { preview }),
    };
    const done = new AbortController();
    return new Promise<ConsentDecision>((resolve) => {
      const finish = (decision: ConsentDecision): void => {
        if (done.signal.aborted) return;
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        done.abort();
        resolve(decision);
      };
      const onAbort = (): void => finish('refused');
      const timer = clock.setTimeout(() => finish('refused'), this.#timeoutMs);
      if (signal.aborted) {
        finish('refused');
        return;
      }
      signal.addEventListener('abort', onAbort);
      prompt(request, done.signal).then(
        (answer) => finish(decisionOf(answer)),
        () => finish('refused'),
      );
    });
  }
}

function decisionOf(answer: PromptAnswer): ConsentDecision {
  if (answer === 'busy') return 'busy';
  return answer === true ? 'allowed' : 'refused';
}

/**
 * The CLI's prompt: `--allow-tools` names the tools that may run; every other question is
 * answered no. Names match in either spelling (`self.notify` or the server's `self_notify`).
 */
export function allowListPrompt(allowed: Iterable<string>): ConsentPrompt {
  const names = new Set([...allowed].map(serverToolName));
  return (request) => Promise.resolve(names.has(serverToolName(request.tool)));
}
