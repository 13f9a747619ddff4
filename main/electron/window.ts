/**
 * The chat window: a frameless popup anchored to the tray icon. It is created hidden at start
 * (so the page is loaded and listening before anyone opens it), shows next to the tray, hides
 * when it loses focus unless pinned, hides instead of closing, and remembers its size.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import type { Clock, TimerHandle } from '../core/util/clock.ts';
import { placeWindow, type DisplayArea, type Point, type Rect } from './window-placement.ts';
import { MIN_WINDOW_SIZE, clampWindowSize, type WindowSize } from './window-size-store.ts';

/**
 * A click on the tray icon while the window is open first blurs (and so hides) the window, then
 * arrives as a click; within this long after a blur-hide the click means "close", not "reopen".
 */
export const TRAY_CLICK_AFTER_BLUR_MS = 300;
/** A resize is saved once the user stops dragging for this long. */
export const SAVE_SIZE_DEBOUNCE_MS = 500;

interface PreventableEvent {
  preventDefault(): void;
}

/** The part of Electron's `BrowserWindow` the chat window uses. */
export interface BrowserWindowLike {
  readonly webContents: {
    readonly id: number;
    on(event: 'did-start-loading' | 'render-process-gone', listener: () => void): unknown;
    reload(): void;
  };
  loadURL(url: string): Promise<void>;
  isVisible(): boolean;
  isDestroyed(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  setPosition(x: number, y: number): void;
  getSize(): number[];
  setAlwaysOnTop(flag: boolean): void;
  on(event: 'blur' | 'resize', listener: () => void): unknown;
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  destroy(): void;
}

/** Where the tray and the displays are right now (Electron's `screen` and `tray.getBounds()`). */
export interface ScreenSnapshot {
  readonly trayBounds: Rect | null;
  readonly displays: readonly DisplayArea[];
  readonly cursor: Point;
}

export interface ChatWindowOptions {
  readonly create: (options: BrowserWindowConstructorOptions) => BrowserWindowLike;
  readonly url: string;
  readonly preloadPath: string;
  readonly iconPath?: string;
  readonly initialSize: WindowSize;
  readonly saveSize: (size: WindowSize) => void;
  readonly screen: () => ScreenSnapshot;
  readonly clock: Clock;
  /** The page started (re)loading: events must wait for its next `app:ready`. */
  readonly onPageLoading: () => void;
  readonly onLoadFailed?: (error: unknown) => void;
  /** Show the window as soon as its page has painted (a launch by hand, not at login). */
  readonly showWhenReady: boolean;
}

/**
 * The window's construction options: frameless, off the taskbar, and every web preference of
 * the Electron security checklist set explicitly (sandbox, isolation, no Node, web security).
 */
export function chatWindowOptions(
  size: WindowSize,
  preloadPath: string,
  iconPath?: string,
): BrowserWindowConstructorOptions {
  return {
    width: size.width,
    height: size.height,
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    frame: false,
    resizable: true,
    skipTaskbar: true,
    fullscreenable: false,
    maximizable: false,
    minimizable: false,
    title: 'Lumi',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click (auxclick) on a link would otherwise ask for a new window.
      disableBlinkFeatures: 'Auxclick',
    },
  };
}

export class ChatWindow {
  readonly #options: ChatWindowOptions;
  readonly #window: BrowserWindowLike;
  #pinned = false;
  #quitting = false;
  #hiddenByBlurAt: number | null = null;
  #saveTimer: TimerHandle | null = null;

  constructor(options: ChatWindowOptions) {
    this.#options = options;
    const size = clampWindowSize(options.initialSize);
    const window = options.create(chatWindowOptions(size, options.preloadPath, options.iconPath));
    this.#window = window;
    window.on('blur', () => {
      if (this.#pinned || !window.isVisible()) return;
      this.#hiddenByBlurAt = options.clock.now();
      window.hide();
    });
    window.on('close', (event) => {
      if (this.#quitting) return;
      event.preventDefault();
      window.hide();
    });
    window.on('resize', () => this.#scheduleSave());
    window.webContents.on('did-start-loading', () => options.onPageLoading());
    // A crashed or killed renderer comes back by itself; the page asks for a fresh snapshot.
    window.webContents.on('render-process-gone', () => window.webContents.reload());
    if (options.showWhenReady) window.once('ready-to-show', () => this.show());
    window.loadURL(options.url).catch((error: unknown) => options.onLoadFailed?.(error));
  }

  /** The window's webContents id (the gateway's sender check and event target). */
  get contentsId(): number {
    return this.#window.webContents.id;
  }

  isVisible(): boolean {
    return !this.#window.isDestroyed() && this.#window.isVisible();
  }

  /** Shows the window next to the tray icon and focuses it. */
  show(): void {
    const [width = MIN_WINDOW_SIZE.width, height = MIN_WINDOW_SIZE.height] = this.#window.getSize();
    const at = placeWindow({ windowSize: { width, height }, ...this.#options.screen() });
    this.#window.setPosition(at.x, at.y);
    this.#window.show();
    this.#window.focus();
  }

  hide(): void {
    if (this.isVisible()) this.#window.hide();
  }

  /** The tray icon's click: open when closed, close when open. */
  toggle(): void {
    if (this.isVisible()) {
      this.hide();
      return;
    }
    const hiddenAt = this.#hiddenByBlurAt;
    this.#hiddenByBlurAt = null;
    if (hiddenAt !== null && this.#options.clock.now() - hiddenAt < TRAY_CLICK_AFTER_BLUR_MS) {
      return;
    }
    this.show();
  }

  /** Pinned: stays open (and on top) when focus moves elsewhere. */
  setPinned(pinned: boolean): void {
    this.#pinned = pinned;
    this.#window.setAlwaysOnTop(pinned);
  }

  get pinned(): boolean {
    return this.#pinned;
  }

  /** From `before-quit`: let the window really close. */
  markQuitting(): void {
    this.#quitting = true;
  }

  #scheduleSave(): void {
    const clock = this.#options.clock;
    if (this.#saveTimer) clock.clearTimeout(this.#saveTimer);
    this.#saveTimer = clock.setTimeout(() => {
      this.#saveTimer = null;
      if (this.#window.isDestroyed()) return;
      const [width, height] = this.#window.getSize();
      if (width !== undefined && height !== undefined) this.#options.saveSize({ width, height });
    }, SAVE_SIZE_DEBOUNCE_MS);
  }
}
