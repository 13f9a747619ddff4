/**
 * Global hotkeys. Toggle-to-talk goes through Electron's `globalShortcut` (key-down only).
 * Real hold-to-talk needs key-up as well, which `globalShortcut` never reports (electron#7802),
 * so it comes from a native keyboard hook (uiohook-napi) feeding the hold detector. Every
 * registration that fails is reported in `problems()`, as data the settings page words.
 */
import { errorDetail, type Problem } from '../../shared/problems.ts';
import type { Settings } from '../../shared/settings.ts';
import type { Clock } from '../core/util/clock.ts';
import { HoldDetector, type HoldGesture } from './hold-detector.ts';

type HotkeySettings = Settings['hotkeys'];

/** The part of Electron's `globalShortcut` used here. */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface KeyEventLike {
  readonly keycode: number;
}

/** The part of uiohook-napi's `uIOhook` used here. */
export interface KeyHookLike {
  on(event: 'keydown' | 'keyup', listener: (event: KeyEventLike) => void): unknown;
  start(): void;
  stop(): void;
}

/** A keyboard hook, or why there is none. */
export type KeyHookSource =
  | { readonly kind: 'hook'; readonly hook: KeyHookLike; readonly keyCodes: KeyCodeTable }
  | { readonly kind: 'unavailable'; readonly reason: Problem };

/** Key name → hook key code (uiohook-napi's `UiohookKey`). */
export type KeyCodeTable = Readonly<Record<string, number>>;

export interface HotkeyServiceOptions {
  readonly globalShortcut: GlobalShortcutLike;
  readonly keyHook: KeyHookSource;
  readonly clock: Clock;
  readonly onToggleTalk: () => void;
  readonly onHoldGesture: (gesture: HoldGesture) => void;
}

const KEY_ALIASES: Readonly<Record<string, string>> = {
  rightalt: 'altright',
  altgr: 'altright',
  rightctrl: 'ctrlright',
  rightcontrol: 'ctrlright',
  controlright: 'ctrlright',
  rightshift: 'shiftright',
  rightmeta: 'metaright',
  rightsuper: 'metaright',
  esc: 'escape',
  return: 'enter',
};

/**
 * The hook key code for a hold key name such as `F8`, `CapsLock` or `Right Alt` (case and
 * spaces ignored); null when the name is no single key the hook knows.
 */
export function holdKeyCode(name: string, table: KeyCodeTable): number | null {
  const wanted = name.replace(/[\s_-]/g, '').toLowerCase();
  const key = KEY_ALIASES[wanted] ?? wanted;
  for (const [entry, code] of Object.entries(table)) {
    if (entry.toLowerCase() === key) return code;
  }
  return null;
}

/**
 * Why no keyboard hook can run in this session, or null when one may be tried. Under Wayland
 * the X11 hook sees only XWayland windows, so hold-to-talk would work in some apps and not in
 * others; better to say so and fall back to the toggle. Without an X display uiohook-napi
 * 1.5.5 aborts the whole process in `start()` instead of throwing, so it is never started then.
 */
export function keyHookBlocker(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): Problem | null {
  if (platform !== 'linux') return null;
  const wayland =
    env.XDG_SESSION_TYPE === 'wayland' || (!env.XDG_SESSION_TYPE && !!env.WAYLAND_DISPLAY);
  if (wayland) return { code: 'hotkeyWayland' };
  if (!env.DISPLAY) return { code: 'hotkeyNoDisplay' };
  return null;
}

export class HotkeyService {
  readonly #options: HotkeyServiceOptions;
  #hookProblem: Problem | null = null;
  #hookRunning = false;
  #registeredToggle: string | null = null;
  #holdKey: number | null = null;
  #detector: HoldDetector | null = null;
  #problems: Problem[] = [];

  constructor(options: HotkeyServiceOptions) {
    this.#options = options;
  }

  /** Starts the keyboard hook if there is one; returns whether hold-to-talk is available. */
  start(): boolean {
    const source = this.#options.keyHook;
    if (source.kind === 'unavailable') {
      this.#hookProblem = source.reason;
      return false;
    }
    try {
      source.hook.on('keydown', (event) => {
        if (event.keycode === this.#holdKey) this.#detector?.keyDown();
      });
      source.hook.on('keyup', (event) => {
        if (event.keycode === this.#holdKey) this.#detector?.keyUp();
      });
      source.hook.start();
      this.#hookRunning = true;
    } catch (error) {
      this.#hookProblem = { code: 'hotkeyHookFailed', detail: errorDetail(error) };
    }
    return this.#hookRunning;
  }

  get holdToTalkAvailable(): boolean {
    return this.#hookRunning;
  }

  /** Registers the hotkeys of the settings, replacing the previous ones. Idempotent. */
  apply(hotkeys: HotkeySettings): void {
    const problems: Problem[] = [];
    this.#applyHold(hotkeys, problems);
    this.#applyToggle(hotkeys, problems);
    if (this.#hookProblem !== null) problems.unshift(this.#hookProblem);
    this.#problems = problems;
  }

  /** Every hotkey that could not be set up, for the settings page to word. */
  problems(): readonly Problem[] {
    return this.#problems;
  }

  stop(): void {
    if (this.#registeredToggle !== null) {
      this.#options.globalShortcut.unregister(this.#registeredToggle);
      this.#registeredToggle = null;
    }
    this.#detector?.reset();
    this.#detector = null;
    this.#holdKey = null;
    const source = this.#options.keyHook;
    if (this.#hookRunning && source.kind === 'hook') source.hook.stop();
    this.#hookRunning = false;
  }

  #applyHold(hotkeys: HotkeySettings, problems: Problem[]): void {
    this.#detector?.reset();
    this.#detector = null;
    this.#holdKey = null;
    const source = this.#options.keyHook;
    const name = hotkeys.holdToTalk.trim();
    if (!this.#hookRunning || source.kind !== 'hook' || name === '') return;
    const code = holdKeyCode(name, source.keyCodes);
    if (code === null) {
      problems.push({ code: 'holdKeyUnknown', key: name });
      return;
    }
    this.#holdKey = code;
    this.#detector = new HoldDetector({
      clock: this.#options.clock,
      doubleTap: hotkeys.doubleTapHandsFree,
      onGesture: (gesture) => this.#options.onHoldGesture(gesture),
    });
  }

  #applyToggle(hotkeys: HotkeySettings, problems: Problem[]): void {
    const accelerator = hotkeys.toggleTalk.trim();
    const conflict = this.#holdKey !== null && sameKey(accelerator, hotkeys.holdToTalk);
    if (conflict) problems.push({ code: 'hotkeysSameKey', key: accelerator });
    const wanted = accelerator === '' || conflict ? null : accelerator;
    if (wanted === this.#registeredToggle) return;
    if (this.#registeredToggle !== null) {
      this.#options.globalShortcut.unregister(this.#registeredToggle);
      this.#registeredToggle = null;
    }
    if (wanted === null) return;
    let registered: boolean;
    try {
      registered = this.#options.globalShortcut.register(wanted, () =>
        this.#options.onToggleTalk(),
      );
    } catch (error) {
      problems.push({ code: 'shortcutInvalid', shortcut: wanted, detail: errorDetail(error) });
      return;
    }
    if (!registered) {
      problems.push({ code: 'shortcutTaken', shortcut: wanted });
      return;
    }
    this.#registeredToggle = wanted;
  }
}

function sameKey(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/[\s_-]/g, '').toLowerCase();
  return norm(a) === norm(b);
}
