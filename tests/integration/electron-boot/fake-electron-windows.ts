/**
 * The fake Electron's visible parts: windows with their webContents, the tray and its menus.
 * Like the real ones they refuse to exist before the app is ready, and they remember what the
 * composition root did to them for the test's `inspect`.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions } from 'electron';
import type { TrayLike } from '../../../main/electron/tray.ts';
import type { BrowserWindowLike } from '../../../main/electron/window.ts';
import { tellTest } from './fake-electron-control.ts';

/** Set by the fake app when it becomes ready. */
export const readiness = { ready: false };

export function requireReady(what: string): void {
  if (!readiness.ready) throw new Error(`${what} cannot be used before the app is ready`);
}

/** An event whose default action a listener may cancel. */
export class PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id: number;
  url = '';
  windowOpenHandler: ((details: { url: string }) => unknown) | null = null;
  #destroyed = false;

  constructor(id: number) {
    super();
    this.id = id;
  }

  /** Like Electron, refuses what structured cloning cannot carry to the renderer. */
  send(channel: string, payload: unknown): void {
    tellTest({ kind: 'sent', channel, payload: structuredClone(payload) });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }

  getURL(): string {
    return this.url;
  }

  reload(): void {
    this.emit('did-start-loading');
  }

  isDestroyed(): boolean {
    return this.#destroyed;
  }

  destroy(): void {
    this.#destroyed = true;
  }
}

let nextContentsId = 1;
/** Every window made, in order. */
export const windows: FakeBrowserWindow[] = [];

export class FakeBrowserWindow extends EventEmitter implements BrowserWindowLike {
  readonly webContents: FakeWebContents;
  readonly options: BrowserWindowConstructorOptions;
  showCount = 0;
  #visible = false;
  #destroyed = false;
  readonly #size: number[];

  constructor(options: BrowserWindowConstructorOptions) {
    requireReady('BrowserWindow');
    super();
    this.options = options;
    this.#size = [options.width ?? 800, options.height ?? 600];
    this.webContents = new FakeWebContents(nextContentsId++);
    windows.push(this);
  }

  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    this.webContents.emit('did-start-loading');
    // The page "paints" a moment later, as a real one would, and only then is reported.
    setImmediate(() => {
      this.emit('ready-to-show');
      tellTest({ kind: 'loaded', url });
    });
  }

  isVisible(): boolean {
    return this.#visible;
  }
  isDestroyed(): boolean {
    return this.#destroyed;
  }
  show(): void {
    this.#visible = true;
    this.showCount += 1;
  }
  hide(): void {
    this.#visible = false;
  }
  focus(): void {}
  setPosition(): void {}
  getSize(): number[] {
    return [...this.#size];
  }
  setAlwaysOnTop(): void {}

  /** Asks to close: a listener may prevent it; otherwise the window is gone. */
  close(): boolean {
    const event = new PreventableEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroy();
    return true;
  }

  destroy(): void {
    this.#destroyed = true;
    this.#visible = false;
    this.webContents.destroy();
    this.emit('closed');
  }
}

/** A menu template item, as far as the fake reads it. */
export interface MenuTemplateItem {
  readonly label?: string;
  readonly submenu?: readonly MenuTemplateItem[];
  readonly click?: () => void;
}

export class Menu {
  readonly items: readonly MenuTemplateItem[];
  constructor(items: readonly MenuTemplateItem[]) {
    this.items = items;
  }
  static buildFromTemplate(template: readonly MenuTemplateItem[]): Menu {
    return new Menu(template);
  }
}

/** Every tray made, in order. */
export const trays: FakeTray[] = [];

export class FakeTray extends EventEmitter implements TrayLike<Menu> {
  image: string;
  tooltip: string | null = null;
  menu: Menu | null = null;
  destroyed = false;

  constructor(image: string) {
    requireReady('Tray');
    super();
    this.image = image;
    trays.push(this);
  }
  setImage(image: string): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu | null): void {
    this.menu = menu;
  }
  popUpContextMenu(): void {}
  getBounds(): { x: number; y: number; width: number; height: number } {
    // What Linux app indicators report: no position.
    return { x: 0, y: 0, width: 0, height: 0 };
  }
  destroy(): void {
    this.destroyed = true;
  }
}
