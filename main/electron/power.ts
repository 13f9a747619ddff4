/**
 * Moments when a connection that looks alive may be dead: the machine woke up, the screen was
 * unlocked, the network came back. The core's nudge makes a ready socket prove itself quickly
 * and a waiting reconnect try now instead of at the end of its backoff.
 */
import { SECOND, type Clock, type TimerHandle } from '../core/util/clock.ts';

/** How often `net.isOnline()` is read; main has no online event of its own. */
export const NETWORK_POLL_INTERVAL_MS = 5 * SECOND;

export type WakeReason = 'resume' | 'unlock-screen' | 'online';

/** The part of Electron's `powerMonitor` the watcher uses. */
export interface PowerMonitorLike {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  removeListener(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface WakeWatchOptions {
  readonly powerMonitor: PowerMonitorLike;
  /** Electron's `net.isOnline()`. */
  readonly isOnline: () => boolean;
  readonly clock: Clock;
  readonly onWake: (reason: WakeReason) => void;
  readonly pollIntervalMs?: number;
}

/** Starts watching; returns the function that stops. */
export function watchWakeups(options: WakeWatchOptions): () => void {
  const { powerMonitor, clock, onWake } = options;
  const interval = options.pollIntervalMs ?? NETWORK_POLL_INTERVAL_MS;
  const onResume = () => onWake('resume');
  const onUnlock = () => onWake('unlock-screen');
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onUnlock);

  let online = options.isOnline();
  let timer: TimerHandle | null = null;
  const poll = () => {
    const now = options.isOnline();
    if (now && !online) onWake('online');
    online = now;
    timer = clock.setTimeout(poll, interval);
  };
  timer = clock.setTimeout(poll, interval);

  return () => {
    powerMonitor.removeListener('resume', onResume);
    powerMonitor.removeListener('unlock-screen', onUnlock);
    if (timer) clock.clearTimeout(timer);
    timer = null;
  };
}
