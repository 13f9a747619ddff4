import type { HandlerDetails, WindowOpenHandlerResponse } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  denyAllPermissions,
  isSafeExternalUrl,
  lockDownWebContents,
  openExternalSafely,
  type LockableContents,
  type PermissionSession,
} from '../../../main/electron/security.ts';

type AnyListener = (event: { preventDefault(): void }, url: string) => void;

/** The session surface: records the handlers so the test can call them as Chromium would. */
class FakeSession implements PermissionSession {
  request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] = null;
  check: Parameters<PermissionSession['setPermissionCheckHandler']>[0] = null;
  device: Parameters<PermissionSession['setDevicePermissionHandler']>[0] = null;
  setPermissionRequestHandler(handler: FakeSession['request']): void {
    this.request = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['check']): void {
    this.check = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['device']): void {
    this.device = handler;
  }
}

/** The webContents surface of the lock-down. */
class FakeContents implements LockableContents {
  openHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null;
  readonly listeners = new Map<string, AnyListener>();
  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }
  on(event: string, listener: AnyListener): this {
    this.listeners.set(event, listener);
    return this;
  }
  fire(event: string, url = ''): boolean {
    let prevented = false;
    this.listeners.get(event)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
  open(url: string): WindowOpenHandlerResponse {
    if (!this.openHandler) throw new Error('no window open handler');
    const details = {
      url,
      frameName: '',
      features: '',
      disposition: 'new-window',
      referrer: { url: '', policy: 'default' },
    };
    return this.openHandler(details as unknown as HandlerDetails);
  }
}

describe('denyAllPermissions', () => {
  it('denies every request, check and device permission', () => {
    const session = new FakeSession();
    denyAllPermissions(session);
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation'] as const) {
      session.request?.(null as never, permission, (granted) => answers.push(granted), {} as never);
      answers.push(session.check?.(null, permission, 'app://lumi', {} as never) ?? true);
    }
    answers.push(session.device?.({} as never) ?? true);
    expect(answers).toHaveLength(9);
    expect(answers.every((granted) => granted === false)).toBe(true);
  });
});

describe('isSafeExternalUrl', () => {
  it.each([
    ['https://xiaozhi.me/console', true],
    ['HTTPS://Example.com/a?b#c', true],
    ['http://example.com', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://host/share', false],
    ['app://lumi/index.html', false],
    ['https://user:pass@example.com', false],
    ['not a url', false],
  ])('%s → %s', (url, safe) => {
    expect(isSafeExternalUrl(url)).toBe(safe);
  });

  it('opens only safe URLs', async () => {
    const opened: string[] = [];
    const open = async (url: string) => {
      opened.push(url);
    };
    expect(await openExternalSafely(open, 'https://example.com/x')).toBe(true);
    expect(await openExternalSafely(open, 'file:///etc/passwd')).toBe(false);
    expect(opened).toEqual(['https://example.com/x']);
  });
});

describe('lockDownWebContents', () => {
  function setup() {
    const contents = new FakeContents();
    const opened: string[] = [];
    const blocked: string[] = [];
    lockDownWebContents(contents, {
      openExternal: async (url) => {
        opened.push(url);
      },
      onBlocked: (what) => blocked.push(what),
    });
    return { contents, opened, blocked };
  }

  it('denies every new window, sending https links to the browser instead', () => {
    const { contents, opened, blocked } = setup();
    expect(contents.open('https://example.com/page')).toEqual({ action: 'deny' });
    expect(contents.open('http://example.com/page')).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/page']);
    expect(blocked).toEqual(['window-open', 'window-open']);
  });

  it('cancels navigation, redirects and webview attachment', () => {
    const { contents } = setup();
    expect(contents.fire('will-navigate', 'https://evil.example')).toBe(true);
    expect(contents.fire('will-navigate', 'app://lumi/other.html')).toBe(true);
    expect(contents.fire('will-redirect', 'https://evil.example')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
  });
});
