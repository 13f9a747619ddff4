import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatWindow,
  SAVE_SIZE_DEBOUNCE_MS,
  TRAY_CLICK_AFTER_BLUR_MS,
  type BrowserWindowLike,
  type ScreenSnapshot,
} from '../../../main/electron/window.ts';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  loadWindowSize,
  saveWindowSize,
  type WindowSize,
} from '../../../main/electron/window-size-store.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

type Listener = (event: { preventDefault(): void }) => void;

/** BrowserWindow's surface: state plus the listeners, so the test can fire blur, close, resize. */
class FakeBrowserWindow implements BrowserWindowLike {
  readonly options: BrowserWindowConstructorOptions;
  visible = false;
  destroyed = false;
  alwaysOnTop = false;
  position: [number, number] = [0, 0];
  size: [number, number];
  loaded: string[] = [];
  reloads = 0;
  readonly listeners = new Map<string, Listener>();
  readonly contentsListeners = new Map<string, () => void>();
  readonly webContents = {
    id: 42,
    on: (event: string, listener: () => void) => {
      this.contentsListeners.set(event, listener);
      return this.webContents;
    },
    reload: () => {
      this.reloads++;
    },
  };

  constructor(options: BrowserWindowConstructorOptions) {
    this.options = options;
    this.size = [options.width ?? 0, options.height ?? 0];
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  setPosition(x: number, y: number): void {
    if (!Number.isInteger(x) || !Number.isInteger(y)) throw new TypeError('integers only');
    this.position = [x, y];
  }
  getSize(): number[] {
    return [...this.size];
  }
  setAlwaysOnTop(flag: boolean): void {
    this.alwaysOnTop = flag;
  }
  on(event: string, listener: Listener): this {
    this.listeners.set(event, listener);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** Fires a window event; returns whether the listener prevented the default. */
  fire(event: string): boolean {
    let prevented = false;
    this.listeners.get(event)?.({ preventDefault: () => (prevented = true) });
    return prevented;
  }
}

const screen: ScreenSnapshot = {
  trayBounds: { x: 1700, y: 1048, width: 24, height: 24 },
  displays: [
    {
      bounds: { x: 0, y: 0, width: 1920, height: 1080 },
      workArea: { x: 0, y: 0, width: 1920, height: 1040 },
    },
  ],
  cursor: { x: 1710, y: 1060 },
};

function setup(initialSize: WindowSize = DEFAULT_WINDOW_SIZE, showWhenReady = false) {
  const clock = new ManualClock();
  const saved: WindowSize[] = [];
  let loadingSignals = 0;
  let fake: FakeBrowserWindow | null = null;
  const window = new ChatWindow({
    create: (options) => (fake = new FakeBrowserWindow(options)),
    url: 'app://lumi/index.html',
    preloadPath: '/app/dist/preload/index.cjs',
    initialSize,
    saveSize: (size) => saved.push(size),
    screen: () => screen,
    clock,
    onPageLoading: () => loadingSignals++,
    showWhenReady,
  });
  if (!fake) throw new Error('window not created');
  return {
    window,
    fake: fake as FakeBrowserWindow,
    clock,
    saved,
    loadingSignals: () => loadingSignals,
  };
}

describe('ChatWindow', () => {
  it('is created hidden, frameless, sandboxed and isolated, loading the app:// page', () => {
    const { fake } = setup();
    expect(fake.options).toMatchObject({
      show: false,
      frame: false,
      skipTaskbar: true,
      width: 380,
      height: 560,
    });
    expect(fake.options.webPreferences).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(fake.loaded).toEqual(['app://lumi/index.html']);
    expect(fake.visible).toBe(false);
  });

  it('shows itself once painted when launched by hand, and stays hidden otherwise', () => {
    const byHand = setup(DEFAULT_WINDOW_SIZE, true);
    expect(byHand.fake.visible).toBe(false);
    byHand.fake.fire('ready-to-show');
    expect(byHand.fake.visible).toBe(true);
    const atLogin = setup(DEFAULT_WINDOW_SIZE, false);
    atLogin.fake.fire('ready-to-show');
    expect(atLogin.fake.visible).toBe(false);
  });

  it('shows anchored above the tray icon', () => {
    const { window, fake } = setup();
    window.show();
    expect(fake.visible).toBe(true);
    expect(fake.position).toEqual([1712 - 190, 1040 - 560 - 4]);
  });

  it('hides on blur unless pinned, and pinning keeps it on top', () => {
    const { window, fake } = setup();
    window.show();
    fake.fire('blur');
    expect(fake.visible).toBe(false);
    window.setPinned(true);
    window.show();
    fake.fire('blur');
    expect(fake.visible).toBe(true);
    expect(fake.alwaysOnTop).toBe(true);
  });

  it('toggles from the tray, reading a click right after a blur-hide as "close"', () => {
    const { window, fake, clock } = setup();
    window.toggle();
    expect(fake.visible).toBe(true);
    fake.fire('blur');
    clock.advance(TRAY_CLICK_AFTER_BLUR_MS - 50);
    window.toggle();
    expect(fake.visible).toBe(false);
    clock.advance(TRAY_CLICK_AFTER_BLUR_MS);
    window.toggle();
    expect(fake.visible).toBe(true);
    window.toggle();
    expect(fake.visible).toBe(false);
  });

  it('hides instead of closing, until the app quits', () => {
    const { window, fake } = setup();
    window.show();
    expect(fake.fire('close')).toBe(true);
    expect(fake.visible).toBe(false);
    window.markQuitting();
    expect(fake.fire('close')).toBe(false);
  });

  it('saves the size once resizing settles', () => {
    const { fake, clock, saved } = setup();
    fake.size = [400, 600];
    fake.fire('resize');
    clock.advance(SAVE_SIZE_DEBOUNCE_MS - 1);
    fake.size = [420, 640];
    fake.fire('resize');
    clock.advance(SAVE_SIZE_DEBOUNCE_MS - 1);
    expect(saved).toEqual([]);
    clock.advance(1);
    expect(saved).toEqual([{ width: 420, height: 640 }]);
  });

  it('opens with a remembered size, clamped to the minimum', () => {
    const { fake } = setup({ width: 100, height: 100 });
    expect([fake.options.width, fake.options.height]).toEqual([
      MIN_WINDOW_SIZE.width,
      MIN_WINDOW_SIZE.height,
    ]);
  });

  it('reports page loads (to hold events) and reloads a crashed renderer', () => {
    const { fake, loadingSignals } = setup();
    fake.contentsListeners.get('did-start-loading')?.();
    fake.contentsListeners.get('render-process-gone')?.();
    expect(loadingSignals()).toBe(1);
    expect(fake.reloads).toBe(1);
  });
});

describe('window size store', () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it('round-trips a size and falls back to the default for a missing or damaged file', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lumi-window-'));
    const file = path.join(dir, 'window-state.json');
    expect(loadWindowSize(file)).toEqual(DEFAULT_WINDOW_SIZE);
    saveWindowSize(file, { width: 450.4, height: 700 });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ width: 450, height: 700 });
    expect(loadWindowSize(file)).toEqual({ width: 450, height: 700 });
    await writeFile(file, '{"width": "wide"');
    expect(loadWindowSize(file)).toEqual(DEFAULT_WINDOW_SIZE);
    await writeFile(file, '{"width": 99999, "height": 10}');
    expect(loadWindowSize(file)).toEqual({ width: 1600, height: MIN_WINDOW_SIZE.height });
  });
});
