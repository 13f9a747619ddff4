/**
 * The chat window's size, remembered across launches in a small JSON file in userData. Only the
 * size: the position always follows the tray icon. A missing or damaged file means the default.
 */
import { readFileSync } from 'node:fs';
import * as z from '../core/util/zod.ts';
import { writeFileAtomic } from '../core/store/safe-file.ts';

export interface WindowSize {
  readonly width: number;
  readonly height: number;
}

export const WINDOW_STATE_FILE = 'window-state.json';
/** A phone-like column: wide enough for a chat bubble and the talk button, not wider. */
export const DEFAULT_WINDOW_SIZE: WindowSize = { width: 380, height: 560 };
export const MIN_WINDOW_SIZE: WindowSize = { width: 320, height: 420 };
export const MAX_WINDOW_SIZE: WindowSize = { width: 1600, height: 1600 };

const StoredSchema = z.object({ width: z.number(), height: z.number() });

/** Keeps a size within the window's limits, in whole pixels. */
export function clampWindowSize(size: WindowSize): WindowSize {
  const clamp = (value: number, min: number, max: number) =>
    Math.round(Math.min(Math.max(value, min), max));
  return {
    width: clamp(size.width, MIN_WINDOW_SIZE.width, MAX_WINDOW_SIZE.width),
    height: clamp(size.height, MIN_WINDOW_SIZE.height, MAX_WINDOW_SIZE.height),
  };
}

/** The remembered size, or the default when there is none (or it cannot be read). */
export function loadWindowSize(file: string): WindowSize {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    return DEFAULT_WINDOW_SIZE;
  }
  try {
    const parsed = StoredSchema.safeParse(JSON.parse(raw));
    return parsed.success ? clampWindowSize(parsed.data) : DEFAULT_WINDOW_SIZE;
  } catch {
    return DEFAULT_WINDOW_SIZE;
  }
}

/** Remembers a size (atomically: a crash mid-write leaves the old file). */
export function saveWindowSize(file: string, size: WindowSize): void {
  writeFileAtomic(file, `${JSON.stringify(clampWindowSize(size))}\n`);
}
