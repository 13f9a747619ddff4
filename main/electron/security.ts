/**
 * The Electron security checklist items that are settings on a session or a webContents: deny
 * every permission (audio is captured in main, so the window needs none), no new windows, no
 * navigation, no webviews, and external links only over https.
 */
import type { Session, WebContents } from 'electron';

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0];
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0];
type DeviceHandler = Parameters<Session['setDevicePermissionHandler']>[0];

/** The session surface the permission lock-down uses. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: RequestHandler): void;
  setPermissionCheckHandler(handler: CheckHandler): void;
  setDevicePermissionHandler(handler: DeviceHandler): void;
}

/** Denies every permission request, check and device (HID, serial, USB) permission. */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** Whether a URL may be handed to the OS browser: https only, no credentials in it. */
export function isSafeExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '';
}

/** Opens an https URL in the OS browser; returns false (and opens nothing) for anything else. */
export async function openExternalSafely(
  openExternal: (url: string) => Promise<void>,
  raw: string,
): Promise<boolean> {
  if (!isSafeExternalUrl(raw)) return false;
  await openExternal(new URL(raw).href);
  return true;
}

interface PreventableEvent {
  preventDefault(): void;
}

/** The webContents surface the lock-down uses. */
export interface LockableContents {
  setWindowOpenHandler: WebContents['setWindowOpenHandler'];
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: PreventableEvent, url: string) => void,
  ): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
}

export interface LockDownOptions {
  /** Where links the user clicks (target=_blank, window.open) go instead: the OS browser. */
  readonly openExternal: (url: string) => Promise<void>;
  readonly onBlocked?: (what: string, url: string) => void;
}

/**
 * Locks one webContents down (apply to every one, from `app.on('web-contents-created')`): every
 * new window is denied (safe links open in the browser instead), every navigation and redirect
 * is cancelled (the app is one page; reloads are not navigations), no webview may attach.
 */
export function lockDownWebContents(contents: LockableContents, options: LockDownOptions): void {
  const blocked = options.onBlocked ?? (() => undefined);
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) {
      openExternalSafely(options.openExternal, url).catch(() => blocked('open-external', url));
    } else {
      blocked('window-open', url);
    }
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    blocked('navigate', url);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    blocked('redirect', url);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    blocked('webview', '');
  });
}
