/**
 * How Lumi's tests and UI benchmarks launch Chromium: Debian's own build (nothing is
 * downloaded), with the flags a closed network and a GPU-less CI machine need
 * (docs/toolchain.md §1), in a window the size of Lumi's tray popover.
 */
import type { LaunchOptions } from '@playwright/test';

/** The Lumi window's default size. */
export const WINDOW_SIZE = { width: 380, height: 560 } as const;

export const CHROMIUM_LAUNCH_OPTIONS: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};
