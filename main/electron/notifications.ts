/**
 * Desktop notifications from main. Each one is held until it closes: a notification object that
 * is garbage-collected while still on screen loses its click handler. Titles and bodies are cut
 * to the limits of main/core/app/notifications.ts.
 */
import { clipNotification } from '../core/app/notifications.ts';

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
        ...clipNotification(title, body),
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
