/**
 * When Lumi shows a desktop notification, and how long its text may be: every rule in one
 * table, every limit here. The front end only shows what this module lets through (Electron's
 * Notification, the preview's log line); Electron's notifier clips with the same limits for the
 * device tools' own notifications.
 *
 * How many: at most NOTIFICATION_BURST (3) in any NOTIFICATION_WINDOW_MS (10 s), counting the
 * device tools' `self.notify` too, so a server cannot bury the desktop (5 000 `self.notify`
 * calls used to make 5 000 notifications, issue 11 finding 10). What is held back is counted and
 * told in one "N more notifications were not shown" once there is room again; the same alert is
 * shown at most once per ALERT_REPEAT_MS. Only the pointer to a tool prompt is never held back:
 * there is one open prompt at a time (tool-prompts.ts), and the user must learn of it.
 *
 * Lumi's own words in them follow the language setting, from the window's i18n tables (`Words`);
 * what the server said (a reply, an alert) is shown as it is.
 */
import type { MessageKey, MessageParams } from '../../../renderer/src/i18n/translate.ts';
import type { ToolPrompt } from '../../../shared/ipc.ts';
import type { SessionEvent } from '../../../shared/session-events.ts';
import type { DesktopCapabilities } from '../mcp/capabilities.ts';
import { MINUTE, SECOND, type Clock, type TimerHandle } from '../util/clock.ts';

/**
 * Titles and bodies are cut to these many characters: a reply can be pages long, a
 * notification is a glance, and the OS truncates longer ones anyway.
 */
export const NOTIFICATION_TITLE_LIMIT = 64;
export const NOTIFICATION_BODY_LIMIT = 256;

/** At most this many notifications in any NOTIFICATION_WINDOW_MS. */
export const NOTIFICATION_BURST = 3;
export const NOTIFICATION_WINDOW_MS = 10 * SECOND;
/** A server repeating one alert (a reconnect loop, an unbound device) gets one notice a minute. */
export const ALERT_REPEAT_MS = MINUTE;

export type NotificationKind = 'reply' | 'alert' | 'toolPrompt' | 'session';

/** A string of the window's tables in the user's current language (the language setting). */
export type Words = (key: MessageKey, params?: MessageParams) => string;

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

/**
 * The sliding-window limit on notifications: a slot is free when fewer than
 * NOTIFICATION_BURST were shown in the last NOTIFICATION_WINDOW_MS. While some are held back,
 * newer ones are held back too (counted into the same summary), and the summary takes the next
 * free slot, so a flood shows as its first few notifications and then a count.
 */
export class NotificationRate {
  readonly #clock: Clock;
  readonly #summarize: (held: number) => void;
  /** When the notifications of the current window were shown, oldest first. */
  #shownAt: number[] = [];
  #held = 0;
  #summaryTimer: TimerHandle | null = null;

  constructor(clock: Clock, summarize: (held: number) => void) {
    this.#clock = clock;
    this.#summarize = summarize;
  }

  /** Takes a slot for one notification: true to show it now, false when it is held back. */
  admit(): boolean {
    if (this.#held === 0 && this.#take()) return true;
    this.#held += 1;
    this.#scheduleSummary();
    return false;
  }

  /** Forget a pending summary (the app is closing). */
  close(): void {
    if (this.#summaryTimer !== null) this.#clock.clearTimeout(this.#summaryTimer);
    this.#summaryTimer = null;
  }

  #take(): boolean {
    const now = this.#clock.now();
    this.#shownAt = this.#shownAt.filter((at) => now - at < NOTIFICATION_WINDOW_MS);
    if (this.#shownAt.length >= NOTIFICATION_BURST) return false;
    this.#shownAt.push(now);
    return true;
  }

  #scheduleSummary(): void {
    if (this.#summaryTimer !== null) return;
    const oldest = this.#shownAt[0] ?? this.#clock.now();
    const wait = Math.max(0, oldest + NOTIFICATION_WINDOW_MS - this.#clock.now());
    this.#summaryTimer = this.#clock.setTimeout(() => {
      this.#summaryTimer = null;
      if (!this.#take()) {
        this.#scheduleSummary();
        return;
      }
      const held = this.#held;
      this.#held = 0;
      this.#summarize(held);
    }, wait);
  }
}

/**
 * The desktop the device tools see, with `self.notify` under the notification limit: a held-back
 * notification fails the call, so the server's model learns it was not shown.
 */
export function limitToolNotifications(
  desktop: DesktopCapabilities,
  rate: NotificationRate,
): DesktopCapabilities {
  const limited: DesktopCapabilities = {
    getVolume: () => desktop.getVolume(),
    setVolume: (volume) => desktop.setVolume(volume),
    getMode: () => desktop.getMode(),
    setMode: (mode) => desktop.setMode(mode),
    status: () => desktop.status(),
    readClipboard: () => desktop.readClipboard(),
    writeClipboard: (text) => desktop.writeClipboard(text),
    openExternal: (url) => desktop.openExternal(url),
    async notify(title, body) {
      if (!rate.admit()) {
        throw new Error(
          `Not shown: Lumi shows at most ${NOTIFICATION_BURST} notifications in ${NOTIFICATION_WINDOW_MS / SECOND} s`,
        );
      }
      await desktop.notify(title, body);
    },
  };
  const { captureScreen, camera } = desktop;
  return {
    ...limited,
    ...(captureScreen && { captureScreen: (options) => captureScreen.call(desktop, options) }),
    ...(camera && { camera }),
  };
}

export interface AppNotificationsDeps {
  /** Shows one notification on the desktop. */
  readonly notify: (title: string, body: string) => void;
  readonly isWindowVisible: () => boolean;
  /** The `notifications` setting. */
  readonly enabled: () => boolean;
  readonly words: Words;
  readonly clock: Clock;
}

/** The app's notifications, each passed through its rule and the rate limit. */
export class AppNotifications {
  /** Shared with the device tools' notifications (`limitToolNotifications`). */
  readonly rate: NotificationRate;
  readonly #deps: AppNotificationsDeps;
  #lastReply = '';
  #lastAlert: { readonly text: string; readonly at: number } | null = null;

  constructor(deps: AppNotificationsDeps) {
    this.#deps = deps;
    this.rate = new NotificationRate(deps.clock, (held) =>
      this.#deps.notify(
        'Lumi',
        held === 1 ? deps.words('os.heldOne') : deps.words('os.heldMany', { count: held }),
      ),
    );
  }

  /** Shows a notification if its kind's rule and the rate limit allow it now. */
  show(kind: NotificationKind, title: string, body: string): void {
    const now = { enabled: this.#deps.enabled(), windowVisible: this.#deps.isWindowVisible() };
    if (!shouldNotify(kind, now)) return;
    if (kind !== 'toolPrompt' && !this.rate.admit()) return;
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
    if (event.type === 'alertReceived' && this.#isNewAlert(`${event.status}\n${event.message}`)) {
      this.show('alert', event.status, event.message);
    }
  }

  /** A device tool asks for consent: point the user to the window. */
  toolPrompted(prompt: ToolPrompt): void {
    const { words } = this.#deps;
    this.show(
      'toolPrompt',
      words('os.toolPromptTitle'),
      words('os.toolPrompt', { tool: prompt.tool }),
    );
  }

  /** Stop the pending summary. */
  close(): void {
    this.rate.close();
  }

  /** False for the alert shown last, until ALERT_REPEAT_MS after it was shown. */
  #isNewAlert(text: string): boolean {
    const now = this.#deps.clock.now();
    const last = this.#lastAlert;
    if (last !== null && last.text === text && now - last.at < ALERT_REPEAT_MS) return false;
    this.#lastAlert = { text, at: now };
    return true;
  }
}
