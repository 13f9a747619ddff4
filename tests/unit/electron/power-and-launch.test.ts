import { describe, expect, it } from 'vitest';
import {
  NETWORK_POLL_INTERVAL_MS,
  watchWakeups,
  type PowerMonitorLike,
  type WakeReason,
} from '../../../main/electron/power.ts';
import {
  acquireSingleInstance,
  parseLaunchFlags,
  startsHidden,
  type LaunchFlags,
  type SingleInstanceApp,
} from '../../../main/electron/single-instance.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

class FakePowerMonitor implements PowerMonitorLike {
  readonly listeners = new Map<string, Set<() => void>>();
  on(event: 'resume' | 'unlock-screen', listener: () => void): this {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener);
    this.listeners.set(event, set);
    return this;
  }
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }
  emit(event: 'resume' | 'unlock-screen'): void {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

describe('watchWakeups', () => {
  function setup(initiallyOnline = true) {
    const clock = new ManualClock();
    const powerMonitor = new FakePowerMonitor();
    const wakes: WakeReason[] = [];
    let online = initiallyOnline;
    const stop = watchWakeups({
      powerMonitor,
      clock,
      isOnline: () => online,
      onWake: (reason) => wakes.push(reason),
    });
    return { clock, powerMonitor, wakes, stop, setOnline: (value: boolean) => (online = value) };
  }

  it('nudges on resume and on screen unlock', () => {
    const { powerMonitor, wakes } = setup();
    powerMonitor.emit('resume');
    powerMonitor.emit('unlock-screen');
    expect(wakes).toEqual(['resume', 'unlock-screen']);
  });

  it('nudges once when the network comes back, found by polling', () => {
    const { clock, wakes, setOnline } = setup(true);
    setOnline(false);
    clock.advance(NETWORK_POLL_INTERVAL_MS);
    expect(wakes).toEqual([]);
    setOnline(true);
    clock.advance(NETWORK_POLL_INTERVAL_MS - 1);
    expect(wakes).toEqual([]);
    clock.advance(1);
    expect(wakes).toEqual(['online']);
    clock.advance(NETWORK_POLL_INTERVAL_MS * 10);
    expect(wakes).toEqual(['online']);
  });

  it('also nudges when it started offline and the network appears', () => {
    const { clock, wakes, setOnline } = setup(false);
    setOnline(true);
    clock.advance(NETWORK_POLL_INTERVAL_MS);
    expect(wakes).toEqual(['online']);
  });

  it('stops listening and polling', () => {
    const { clock, powerMonitor, wakes, stop, setOnline } = setup(false);
    stop();
    powerMonitor.emit('resume');
    setOnline(true);
    clock.advance(NETWORK_POLL_INTERVAL_MS * 3);
    expect(wakes).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('single instance and launch flags', () => {
  class FakeApp implements SingleInstanceApp {
    locked = false;
    sentData: Record<string, unknown> | undefined;
    listener: ((e: unknown, argv: string[], cwd: string, data: unknown) => void) | null = null;
    readonly othersHoldLock: boolean;
    constructor(othersHoldLock: boolean) {
      this.othersHoldLock = othersHoldLock;
    }
    requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
      this.sentData = additionalData;
      return !this.othersHoldLock;
    }
    on(_event: 'second-instance', listener: FakeApp['listener']): this {
      this.listener = listener;
      return this;
    }
  }

  it('parses --toggle-talk and --hidden among Electron switches', () => {
    expect(parseLaunchFlags(['/opt/Lumi/lumi', '--no-sandbox', '--toggle-talk'])).toEqual({
      toggleTalk: true,
      hidden: false,
    });
    expect(parseLaunchFlags(['lumi', '--hidden'])).toEqual({ toggleTalk: false, hidden: true });
  });

  it('reports a second launch with its flags, from additionalData or else argv', () => {
    const app = new FakeApp(false);
    const launches: LaunchFlags[] = [];
    expect(
      acquireSingleInstance(app, { toggleTalk: false, hidden: true }, (f) => launches.push(f)),
    ).toBe(true);
    expect(app.sentData).toEqual({ toggleTalk: false, hidden: true });
    app.listener?.({}, ['lumi'], '/', { toggleTalk: true, hidden: false });
    app.listener?.({}, ['lumi', '--toggle-talk'], '/', null);
    app.listener?.({}, ['lumi'], '/', { toggleTalk: 'yes' });
    expect(launches).toEqual([
      { toggleTalk: true, hidden: false },
      { toggleTalk: true, hidden: false },
      { toggleTalk: false, hidden: false },
    ]);
  });

  it('returns false (quit) when another instance holds the lock', () => {
    const app = new FakeApp(true);
    expect(acquireSingleInstance(app, { toggleTalk: true, hidden: false }, () => {})).toBe(false);
    expect(app.listener).toBeNull();
  });

  it('starts hidden at login, with --hidden, or for a --toggle-talk launch', () => {
    const none = { toggleTalk: false, hidden: false };
    expect(startsHidden({ flags: none, openedAtLogin: false })).toBe(false);
    expect(startsHidden({ flags: none, openedAtLogin: true })).toBe(true);
    expect(startsHidden({ flags: { ...none, hidden: true }, openedAtLogin: false })).toBe(true);
    expect(startsHidden({ flags: { ...none, toggleTalk: true }, openedAtLogin: false })).toBe(true);
  });
});
