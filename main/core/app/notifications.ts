/**
 * When Lumi shows a desktop notification, and how long its text may be: every rule in one
 * table, every limit here. The front end only shows what this module lets through (Electron's
 * Notification, the preview's log line); Electron's notifier clips with the same limits for the
 * device tools' own notifications.
 */
import type { ToolPrompt } from '../../../shared/ipc.ts';
import type { SessionEvent } from '../../../shared/session-events.ts';

/**
 * Titles and bodies are cut to these many characters: a reply can be pages long, a
 * notification is a glance, and the OS truncates longer ones anyway.
 */
export const NOTIFICATION_TITLE_LIMIT = 64;
export const NOTIFICATION_BODY_LIMIT = 256;

export type NotificationKind = 'reply' | 'alert' | 'toolPrompt' | 'session';

interface NotificationRule {
  /** Shown only while the `notifications` setting is on. */
  readonly optional: boolean;
  /** Shown even while the window is on screen. */
  readonly overOpenWindow: boolean;
}

const RULES: { readonly [K in NotificationKind]: NotificationRule } = {
  /** A finished reply the user did not see. */
  reply: { optional: true, overOpenWindow: false },
  /** The server's alert: its way to say something went wrong, worth a word even over the window. */
  alert: { optional: true, overOpenWindow: true },
  /** A device tool waits for the user's answer: they must learn of it, setting or not. */
  toolPrompt: { optional: false, overOpenWindow: false },
  /** News from the session while the window is hidden: a task done, a pushed message, a code. */
  session: { optional: true, overOpenWindow: false },
};

/** Whether a notification of this kind is shown now. */
export function shouldNotify(
  kind: NotificationKind,
  now: { readonly enabled: boolean; readonly windowVisible: boolean },
): boolean {
  const rule = RULES[kind];
  if (rule.optional && !now.enabled) return false;
  return rule.overOpenWindow || !now.windowVisible;
}

/** A notification's title and body cut to the limits, an ellipsis marking the cut. */
export function clipNotification(
  title: string,
  body: string,
): { readonly title: string; readonly body: string } {
  return {
    title: clip(title, NOTIFICATION_TITLE_LIMIT),
    body: clip(body, NOTIFICATION_BODY_LIMIT),
  };
}

/** Cuts by code point, so a cut never splits a surrogate pair (emoji, rare CJK). */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export interface AppNotificationsDeps {
  /** Shows one notification on the desktop. */
  readonly notify: (title: string, body: string) => void;
  readonly isWindowVisible: () => boolean;
  /** The `notifications` setting. */
  readonly enabled: () => boolean;
}

/** The app's notifications, each passed through its rule. */
export class AppNotifications {
  readonly #deps: AppNotificationsDeps;
  #lastReply = '';

  constructor(deps: AppNotificationsDeps) {
    this.#deps = deps;
  }

  /** Shows a notification if its kind's rule allows it now. */
  show(kind: NotificationKind, title: string, body: string): void {
    const now = { enabled: this.#deps.enabled(), windowVisible: this.#deps.isWindowVisible() };
    if (!shouldNotify(kind, now)) return;
    const clipped = clipNotification(title, body);
    this.#deps.notify(clipped.title, clipped.body);
  }

  /** Follows the session: the reply when its turn ends, and the server's alerts. */
  observe(event: SessionEvent): void {
    if (event.type === 'messageUpserted' && event.message.role === 'assistant') {
      this.#lastReply = event.message.text;
    }
    if (event.type === 'turnEnded' && !event.aborted && this.#lastReply) {
      this.show('reply', 'Lumi', this.#lastReply);
    }
    if (event.type === 'alertReceived') this.show('alert', event.status, event.message);
  }

  /** A device tool asks for consent: point the user to the window. */
  toolPrompted(prompt: ToolPrompt): void {
    this.show('toolPrompt', 'Lumi asks', `Allow ${prompt.tool}? Open Lumi to answer.`);
  }
}
