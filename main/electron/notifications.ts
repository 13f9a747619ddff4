/**
 * Desktop notifications from main. Each one is held until it closes: a notification object that
 * is garbage-collected while still on screen loses its click handler.
 */

/** The part of an Electron `Notification` the notifier uses. */
export interface NotificationLike {
  show(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

export interface NotificationOptions {
  readonly title: string;
  readonly body: string;
  readonly icon?: string;
}

export interface NotifierOptions {
  readonly create: (options: NotificationOptions) => NotificationLike;
  readonly isSupported: () => boolean;
  readonly icon?: string;
  /** Clicking a notification brings the window up. */
  readonly onClick: () => void;
}

/** Notification titles and bodies are cut here; the OS truncates longer ones anyway. */
export const MAX_TITLE_LENGTH = 64;
export const MAX_BODY_LENGTH = 256;

export interface Notifier {
  /** Shows a notification; returns false where the platform has none. */
  notify(title: string, body: string): boolean;
  /** Notifications still on screen. */
  readonly openCount: number;
}

/** A notifier over Electron's `Notification` (injected as `create`). */
export function createNotifier(options: NotifierOptions): Notifier {
  const open = new Set<NotificationLike>();
  return {
    notify(title, body) {
      if (!options.isSupported()) return false;
      const notification = options.create({
        title: clip(title, MAX_TITLE_LENGTH),
        body: clip(body, MAX_BODY_LENGTH),
        ...(options.icon ? { icon: options.icon } : {}),
      });
      open.add(notification);
      notification.on('click', () => options.onClick());
      notification.on('close', () => open.delete(notification));
      notification.show();
      return true;
    },
    get openCount() {
      return open.size;
    },
  };
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
