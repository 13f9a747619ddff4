/** How long a notice stays before it dismisses itself. */
export const NOTICE_LIFETIME_MS = 8_000;
/** Older notices drop off beyond this many, so a burst of errors cannot fill the window. */
export const MAX_NOTICES = 3;

export interface Notice {
  readonly id: number;
  readonly text: string;
  readonly tone: 'error' | 'info';
}

/** Short-lived messages about things that went wrong outside the conversation itself. */
export class Notices {
  items = $state.raw<readonly Notice[]>([]);
  #nextId = 1;

  /** Shows a notice and schedules its dismissal; returns its id. */
  push(text: string, tone: Notice['tone'] = 'error'): number {
    const id = this.#nextId;
    this.#nextId += 1;
    this.items = [...this.items, { id, text, tone }].slice(-MAX_NOTICES);
    setTimeout(() => this.dismiss(id), NOTICE_LIFETIME_MS);
    return id;
  }

  dismiss(id: number): void {
    if (this.items.some((notice) => notice.id === id)) {
      this.items = this.items.filter((notice) => notice.id !== id);
    }
  }
}
