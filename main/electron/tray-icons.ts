/**
 * Which PNG from resources/icons/ the tray shows for a state on each platform. The files are made
 * by scripts/make-icons.mjs; Electron picks the `@2x` sibling by itself on high-DPI screens.
 */
import path from 'node:path';
import type { TrayIconState } from './tray-state.ts';

/**
 * Logical tray icon size per platform: 16 px in the Windows notification area and the macOS
 * menu bar, 24 px for Linux panels (GNOME and KDE draw indicators at 22–24 px).
 */
export function trayIconSize(platform: NodeJS.Platform): 16 | 24 {
  return platform === 'linux' ? 24 : 16;
}

/**
 * The icon's file name. macOS gets monochrome template images (the `Template` suffix makes the
 * menu bar tint them for light and dark mode); the glyph's mark carries the state there.
 */
export function trayIconFileName(state: TrayIconState, platform: NodeJS.Platform): string {
  if (platform === 'darwin') return `tray-${state}Template.png`;
  return `tray-${state}-${trayIconSize(platform)}.png`;
}

/** Absolute path of the state's icon under the icons directory. */
export function trayIconPath(
  iconsDir: string,
  state: TrayIconState,
  platform: NodeJS.Platform,
): string {
  return path.join(iconsDir, trayIconFileName(state, platform));
}
