import { sameProblem, type Problem } from '../../../shared/problems.ts';
import type { MessageKey, MessageParams } from '../i18n/translate.ts';

/** How long a notice stays before it dismisses itself. */
export const NOTICE_LIFETIME_MS = 8_000;
/** Older notices drop off beyond this many, so a burst of errors cannot fill the window. */
export const MAX_NOTICES = 3;

/**
 * What a notice says, as data: worded when it is drawn, so it follows the language setting and
 * two notices saying the same thing can be recognised as one.
 */
export interface NoticeContent {
  readonly key: MessageKey;
  readonly params?: MessageParams;
  /** Worded into the key's `{problem}` placeholder. */
  readonly problem?: Problem;
}

export interface Notice extends NoticeContent {
  readonly id: number;
  readonly tone: 'error' | 'info';
  /** How many times it was pushed while showing (shown as "×2" from the second). */
  readonly count: number;
}

/** Short-lived messages about things that went wrong outside the conversation itself. */
export class Notices {
  items = $state.raw<readonly Notice[]>([]);
  #nextId = 1;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- dismissal timers, not state: nothing renders from them
  readonly #timers = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * Shows a notice and schedules its dismissal; returns its id. The same notice again while it
   * shows counts up instead of showing twice, and stays for a full lifetime from then.
   */
  push(content: NoticeContent, tone: Notice['tone'] = 'error'): number {
    const same = this.items.find((notice) => notice.tone === tone && sameContent(notice, content));
    if (same) {
      this.items = this.items.map((notice) =>
        notice === same ? { ...notice, count: notice.count + 1 } : notice,
      );
      this.#schedule(same.id);
      return same.id;
    }
    const id = this.#nextId;
    this.#nextId += 1;
    const kept = [...this.items, { ...content, id, tone, count: 1 }];
    for (const dropped of kept.slice(0, -MAX_NOTICES)) this.#unschedule(dropped.id);
    this.items = kept.slice(-MAX_NOTICES);
    this.#schedule(id);
    return id;
  }

  dismiss(id: number): void {
    this.#unschedule(id);
    if (this.items.some((notice) => notice.id === id)) {
      this.items = this.items.filter((notice) => notice.id !== id);
    }
  }

  #schedule(id: number): void {
    this.#unschedule(id);
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), NOTICE_LIFETIME_MS),
    );
  }

  #unschedule(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
  }
}

/** The same key with the same parameters and the same problem (code and parameters). */
function sameContent(a: NoticeContent, b: NoticeContent): boolean {
  if (a.key !== b.key || !sameParams(a.params ?? {}, b.params ?? {})) return false;
  if (a.problem === undefined || b.problem === undefined) return a.problem === b.problem;
  return sameProblem(a.problem, b.problem);
}

function sameParams(a: MessageParams, b: MessageParams): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
