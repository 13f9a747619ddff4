import { describe, expect, it } from 'vitest';
import { HOLD_THRESHOLD_MS, type HoldGesture } from '../../../main/electron/hold-detector.ts';
import {
  HotkeyService,
  holdKeyCode,
  keyHookBlocker,
  type GlobalShortcutLike,
  type KeyEventLike,
  type KeyHookLike,
  type KeyHookSource,
} from '../../../main/electron/hotkeys.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { settings } from './fixtures.ts';

const keyCodes = { F7: 65, F8: 66, CapsLock: 58, AltRight: 3640, Space: 57 };

class FakeGlobalShortcut implements GlobalShortcutLike {
  readonly registered = new Map<string, () => void>();
  /** Accelerators another application already holds. */
  readonly taken = new Set<string>();
  register(accelerator: string, callback: () => void): boolean {
    if (accelerator.includes('??')) throw new Error(`Failed to parse accelerator ${accelerator}`);
    if (this.taken.has(accelerator)) return false;
    this.registered.set(accelerator, callback);
    return true;
  }
  unregister(accelerator: string): void {
    this.registered.delete(accelerator);
  }
}

class FakeKeyHook implements KeyHookLike {
  readonly listeners = new Map<string, (event: KeyEventLike) => void>();
  running = false;
  failStart: Error | null = null;
  on(event: 'keydown' | 'keyup', listener: (event: KeyEventLike) => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  start(): void {
    if (this.failStart) throw this.failStart;
    this.running = true;
  }
  stop(): void {
    this.running = false;
  }
  press(keycode: number): void {
    this.listeners.get('keydown')?.({ keycode });
  }
  release(keycode: number): void {
    this.listeners.get('keyup')?.({ keycode });
  }
}

function setup(source?: KeyHookSource) {
  const clock = new ManualClock();
  const shortcut = new FakeGlobalShortcut();
  const hook = new FakeKeyHook();
  const toggles: number[] = [];
  const gestures: HoldGesture[] = [];
  const service = new HotkeyService({
    globalShortcut: shortcut,
    keyHook: source ?? { kind: 'hook', hook, keyCodes },
    clock,
    onToggleTalk: () => toggles.push(clock.now()),
    onHoldGesture: (g) => gestures.push(g),
  });
  return { clock, shortcut, hook, toggles, gestures, service };
}

describe('holdKeyCode', () => {
  it('finds keys by name, ignoring case and spaces, with a few aliases', () => {
    expect(holdKeyCode('F8', keyCodes)).toBe(66);
    expect(holdKeyCode('capslock', keyCodes)).toBe(58);
    expect(holdKeyCode('Right Alt', keyCodes)).toBe(3640);
    expect(holdKeyCode('AltGr', keyCodes)).toBe(3640);
    expect(holdKeyCode('Ctrl+F8', keyCodes)).toBeNull();
  });
});

describe('keyHookBlocker', () => {
  it('blocks Wayland sessions and X-less Linux, nothing elsewhere', () => {
    expect(keyHookBlocker('linux', { XDG_SESSION_TYPE: 'wayland', DISPLAY: ':0' })).toEqual({
      code: 'hotkeyWayland',
    });
    expect(keyHookBlocker('linux', { WAYLAND_DISPLAY: 'wayland-0', DISPLAY: ':0' })).toEqual({
      code: 'hotkeyWayland',
    });
    expect(keyHookBlocker('linux', {})).toEqual({ code: 'hotkeyNoDisplay' });
    expect(keyHookBlocker('linux', { XDG_SESSION_TYPE: 'x11', DISPLAY: ':0' })).toBeNull();
    expect(keyHookBlocker('win32', { XDG_SESSION_TYPE: 'wayland' })).toBeNull();
  });
});

describe('HotkeyService', () => {
  it('registers the toggle accelerator and calls back on it', () => {
    const { shortcut, toggles, service } = setup();
    service.start();
    service.apply(settings.hotkeys);
    shortcut.registered.get('CommandOrControl+Shift+Space')?.();
    expect(toggles).toHaveLength(1);
    expect(service.problems()).toEqual([]);
  });

  it('reports a shortcut taken by another application instead of swallowing it', () => {
    const { shortcut, service } = setup();
    shortcut.taken.add('CommandOrControl+Shift+Space');
    service.start();
    service.apply(settings.hotkeys);
    expect(service.problems()).toEqual([
      { code: 'shortcutTaken', shortcut: 'CommandOrControl+Shift+Space' },
    ]);
  });

  it('reports an accelerator Electron cannot parse', () => {
    const { service } = setup();
    service.start();
    service.apply({ ...settings.hotkeys, toggleTalk: 'Ctrl+??' });
    expect(service.problems()[0]).toMatchObject({ code: 'shortcutInvalid', shortcut: 'Ctrl+??' });
  });

  it('swaps the toggle accelerator when the settings change, freeing the old one', () => {
    const { shortcut, service } = setup();
    service.start();
    service.apply(settings.hotkeys);
    service.apply({ ...settings.hotkeys, toggleTalk: 'Alt+T' });
    expect([...shortcut.registered.keys()]).toEqual(['Alt+T']);
    service.apply({ ...settings.hotkeys, toggleTalk: '' });
    expect(shortcut.registered.size).toBe(0);
  });

  it('turns holds of the hold key into push-to-talk gestures, ignoring other keys and auto-repeat', () => {
    const { hook, clock, gestures, service } = setup();
    expect(service.start()).toBe(true);
    service.apply(settings.hotkeys);
    hook.press(keyCodes.F7);
    clock.advance(1_000);
    hook.release(keyCodes.F7);
    expect(gestures).toEqual([]);
    hook.press(keyCodes.F8);
    for (let i = 0; i < 10; i++) {
      clock.advance(HOLD_THRESHOLD_MS / 5);
      hook.press(keyCodes.F8);
    }
    hook.release(keyCodes.F8);
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
  });

  it('turns a double tap into hands-free', () => {
    const { hook, clock, gestures, service } = setup();
    service.start();
    service.apply(settings.hotkeys);
    hook.press(keyCodes.F8);
    clock.advance(80);
    hook.release(keyCodes.F8);
    clock.advance(120);
    hook.press(keyCodes.F8);
    hook.release(keyCodes.F8);
    expect(gestures).toEqual(['doubleTapped']);
  });

  it('reports an unknown hold key', () => {
    const { service } = setup();
    service.start();
    service.apply({ ...settings.hotkeys, holdToTalk: 'Ctrl+F8' });
    expect(service.problems()).toEqual([{ code: 'holdKeyUnknown', key: 'Ctrl+F8' }]);
  });

  it('keeps only hold-to-talk when both hotkeys name the same key', () => {
    const { shortcut, service } = setup();
    service.start();
    service.apply({ ...settings.hotkeys, toggleTalk: 'F8', holdToTalk: 'F8' });
    expect(shortcut.registered.size).toBe(0);
    expect(service.problems()[0]).toEqual({ code: 'hotkeysSameKey', key: 'F8' });
  });

  it('falls back to the toggle where no hook can run, and says why', () => {
    const { shortcut, service } = setup({ kind: 'unavailable', reason: { code: 'hotkeyWayland' } });
    expect(service.start()).toBe(false);
    service.apply(settings.hotkeys);
    expect(service.holdToTalkAvailable).toBe(false);
    expect(shortcut.registered.has('CommandOrControl+Shift+Space')).toBe(true);
    expect(service.problems()).toEqual([{ code: 'hotkeyWayland' }]);
  });

  it('falls back when the hook fails to start', () => {
    const { hook, service } = setup();
    hook.failStart = new Error('Failed to enable access for assistive devices.');
    expect(service.start()).toBe(false);
    service.apply(settings.hotkeys);
    expect(service.problems()[0]).toEqual({
      code: 'hotkeyHookFailed',
      detail: 'Failed to enable access for assistive devices.',
    });
  });

  it('stops: unregisters, ends a running hold, stops the hook', () => {
    const { hook, shortcut, clock, gestures, service } = setup();
    service.start();
    service.apply(settings.hotkeys);
    hook.press(keyCodes.F8);
    clock.advance(HOLD_THRESHOLD_MS);
    service.stop();
    expect(gestures).toEqual(['holdStarted', 'holdEnded']);
    expect(shortcut.registered.size).toBe(0);
    expect(hook.running).toBe(false);
  });
});
