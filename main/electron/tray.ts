/**
 * The tray icon as a small render-from-state service: `update(state)` is idempotent, one
 * `#render()` touches the Tray only where the view changed, and the Tray and Menu factories are
 * injected so the service runs against a fake in tests.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { trayIconPath } from './tray-icons.ts';
import { trayLabels } from './tray-labels.ts';
import type { TrayState } from './tray-state.ts';
import { buildTrayView, type TrayAction, type TrayMenuItem, type TrayView } from './tray-view.ts';

/** The part of Electron's `Tray` the service uses; `M` is the built menu (Electron's `Menu`). */
export interface TrayLike<M> {
  setImage(iconPath: string): void;
  setToolTip(text: string): void;
  setContextMenu(menu: M | null): void;
  popUpContextMenu(menu?: M): void;
  on(event: 'click' | 'right-click', listener: () => void): unknown;
  /** Where the icon is on screen; all zero where the platform does not say (Linux). */
  getBounds(): { x: number; y: number; width: number; height: number };
  destroy(): void;
}

export interface TrayServiceOptions<M> {
  readonly createTray: (iconPath: string) => TrayLike<M>;
  readonly buildMenu: (template: MenuItemConstructorOptions[]) => M;
  readonly iconsDir: string;
  readonly platform: NodeJS.Platform;
  /** The OS locale, for the `system` language setting. */
  readonly systemLocale: string;
  /** Left click on the icon (toggle the window). */
  readonly onClick: () => void;
  readonly onAction: (action: TrayAction) => void;
}

export class TrayService<M> {
  readonly #options: TrayServiceOptions<M>;
  #tray: TrayLike<M> | null = null;
  #state: TrayState | null = null;
  #view: TrayView | null = null;
  #menu: M | null = null;

  constructor(options: TrayServiceOptions<M>) {
    this.#options = options;
  }

  /** Shows the state; a state that renders the same as the last one touches nothing. */
  update(state: TrayState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#render();
  }

  /** The view last rendered (for the tests and the log). */
  get view(): TrayView | null {
    return this.#view;
  }

  /** The icon's screen bounds, or null before the first render. */
  bounds(): { x: number; y: number; width: number; height: number } | null {
    return this.#tray?.getBounds() ?? null;
  }

  destroy(): void {
    this.#tray?.destroy();
    this.#tray = null;
    this.#view = null;
    this.#menu = null;
  }

  #render(): void {
    const state = this.#state;
    if (!state) return;
    const { platform, iconsDir, systemLocale } = this.#options;
    const next = buildTrayView(state, trayLabels(state.language, systemLocale));
    const previous = this.#view;
    const tray = this.#tray ?? this.#create(trayIconPath(iconsDir, next.icon, platform));
    if (previous !== null && previous.icon !== next.icon) {
      tray.setImage(trayIconPath(iconsDir, next.icon, platform));
    }
    if (previous?.tooltip !== next.tooltip) tray.setToolTip(next.tooltip);
    if (previous === null || !sameMenu(previous.menu, next.menu)) {
      this.#menu = this.#options.buildMenu(next.menu.map((item) => this.#template(item)));
      // macOS: a context menu set on the tray would also open on left click, which must toggle
      // the window instead, so the menu pops up on right click only.
      if (platform !== 'darwin') tray.setContextMenu(this.#menu);
    }
    this.#view = next;
  }

  #create(iconPath: string): TrayLike<M> {
    const tray = this.#options.createTray(iconPath);
    tray.on('click', () => this.#options.onClick());
    tray.on('right-click', () => {
      if (this.#options.platform === 'darwin' && this.#menu !== null) {
        tray.popUpContextMenu(this.#menu);
      }
    });
    this.#tray = tray;
    return tray;
  }

  #template(item: TrayMenuItem): MenuItemConstructorOptions {
    switch (item.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: item.label, submenu: item.items.map((i) => this.#template(i)) };
      case 'radio':
        return {
          type: 'radio',
          label: item.label,
          checked: item.checked,
          click: () => this.#options.onAction(item.action),
        };
      case 'action':
        return { label: item.label, click: () => this.#options.onAction(item.action) };
    }
  }
}

function sameMenu(a: readonly TrayMenuItem[], b: readonly TrayMenuItem[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
