import { describe, expect, it } from 'vitest';
import {
  CapabilityUnavailableError,
  type AppControls,
} from '../../../main/core/mcp/capabilities.ts';
import {
  ElectronDesktopCapabilities,
  type ElectronDesktopOptions,
  type ImageLike,
} from '../../../main/electron/capabilities.ts';
import { createNotifier, type NotificationLike } from '../../../main/electron/notifications.ts';

const app: AppControls = {
  getVolume: async () => 70,
  setVolume: async () => {},
  getMode: async () => 'manual',
  setMode: async () => {},
  status: async () => ({ connection: 'ready', appVersion: '0.1.0', os: 'linux 6.1' }),
};

/** A solid #336699 picture in Chromium's BGRA layout. */
function image(width: number, height: number): ImageLike {
  return {
    isEmpty: () => width === 0,
    getSize: () => ({ width, height }),
    toBitmap: () =>
      Buffer.from(new Array<number[]>(width * height).fill([0x99, 0x66, 0x33, 0xff]).flat()),
  };
}

function setup(overrides: Partial<ElectronDesktopOptions> = {}) {
  const opened: string[] = [];
  const windowEvents: string[] = [];
  let clipboard = '';
  const capabilities = new ElectronDesktopCapabilities({
    app,
    clipboard: {
      readText: async () => clipboard,
      writeText: async (t) => {
        clipboard = t;
      },
    },
    notify: () => true,
    openExternal: async (url) => {
      opened.push(url);
    },
    displayUnderPointer: () => ({ id: 2, size: { width: 2560, height: 1440 } }),
    hideOwnWindow: async () => {
      windowEvents.push('hidden');
      return () => windowEvents.push('shown');
    },
    ...overrides,
  });
  return { capabilities, opened, windowEvents };
}

describe('ElectronDesktopCapabilities', () => {
  it('opens https links and refuses every other scheme', async () => {
    const { capabilities, opened } = setup();
    await capabilities.openExternal('https://xiaozhi.me/');
    await expect(capabilities.openExternal('file:///etc/passwd')).rejects.toBeInstanceOf(
      CapabilityUnavailableError,
    );
    await expect(capabilities.openExternal('http://example.com')).rejects.toBeInstanceOf(
      CapabilityUnavailableError,
    );
    expect(opened).toEqual(['https://xiaozhi.me/']);
  });

  it('round-trips the clipboard', async () => {
    const { capabilities } = setup();
    await capabilities.writeClipboard('你好');
    expect(await capabilities.readClipboard()).toBe('你好');
  });

  it('reports notifications unavailable where the platform has none', async () => {
    const { capabilities } = setup({ notify: () => false });
    await expect(capabilities.notify('t', 'b')).rejects.toBeInstanceOf(CapabilityUnavailableError);
  });

  it('captures the display under the pointer, scaled natively, with its own window hidden', async () => {
    const asked: { width: number; height: number }[] = [];
    let events: string[] = [];
    const { capabilities, windowEvents } = setup({
      getScreenSources: async ({ thumbnailSize }) => {
        asked.push(thumbnailSize);
        events = [...windowEvents];
        return [
          { display_id: '1', thumbnail: image(10, 10) },
          { display_id: '2', thumbnail: image(128, 72) },
        ];
      },
    });
    const frame = await capabilities.captureScreen?.({ maxSide: 1280 });
    expect(asked).toEqual([{ width: 1280, height: 720 }]);
    // Hidden while desktopCapturer looked, shown again afterwards.
    expect(events).toEqual(['hidden']);
    expect(windowEvents).toEqual(['hidden', 'shown']);
    expect(frame).toMatchObject({ width: 128, height: 72, stride: 512, bytesPerPixel: 4 });
    const { red, green, blue } = frame?.offsets ?? { red: 0, green: 0, blue: 0 };
    expect([frame?.data[red], frame?.data[green], frame?.data[blue]]).toEqual([0x33, 0x66, 0x99]);
  });

  it('reports capture unavailable when the OS hands back an empty image, and shows the window again', async () => {
    const { capabilities, windowEvents } = setup({
      getScreenSources: async () => [{ display_id: '2', thumbnail: image(0, 0) }],
    });
    await expect(capabilities.captureScreen?.({ maxSide: 800 })).rejects.toBeInstanceOf(
      CapabilityUnavailableError,
    );
    expect(windowEvents).toEqual(['hidden', 'shown']);
  });

  it('offers no screen capture where no capturer is given', () => {
    expect(setup().capabilities.captureScreen).toBeUndefined();
  });
});

describe('createNotifier', () => {
  class FakeNotification implements NotificationLike {
    shown = false;
    readonly listeners = new Map<string, () => void>();
    readonly options: { title: string; body: string };
    constructor(options: { title: string; body: string }) {
      this.options = options;
    }
    show(): void {
      this.shown = true;
    }
    on(event: 'click' | 'close', listener: () => void): this {
      this.listeners.set(event, listener);
      return this;
    }
  }

  it('shows, holds each notification until it closes, and brings the window up on click', () => {
    const made: FakeNotification[] = [];
    let clicked = 0;
    const notifier = createNotifier({
      create: (options) => {
        const n = new FakeNotification(options);
        made.push(n);
        return n;
      },
      isSupported: () => true,
      onClick: () => clicked++,
    });
    expect(notifier.notify('Lumi', 'x'.repeat(500))).toBe(true);
    const [n] = made;
    expect(n?.shown).toBe(true);
    expect([...(n?.options.body ?? '')].length).toBe(256);
    expect(notifier.openCount).toBe(1);
    n?.listeners.get('click')?.();
    n?.listeners.get('close')?.();
    expect(clicked).toBe(1);
    expect(notifier.openCount).toBe(0);
  });

  it('returns false and creates nothing where notifications are unsupported', () => {
    let created = 0;
    const notifier = createNotifier({
      create: () => {
        created++;
        return new FakeNotification({ title: '', body: '' });
      },
      isSupported: () => false,
      onClick: () => {},
    });
    expect(notifier.notify('a', 'b')).toBe(false);
    expect(created).toBe(0);
  });
});
