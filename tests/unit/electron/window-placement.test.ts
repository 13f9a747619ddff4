import { describe, expect, it } from 'vitest';
import {
  EDGE_MARGIN,
  TRAY_GAP,
  placeWindow,
  taskbarEdge,
  type DisplayArea,
} from '../../../main/electron/window-placement.ts';

const size = { width: 380, height: 560 };

/** A 1920×1080 display at (x, y) with `reserved` pixels taken by a taskbar on `edge`. */
function display(edge: 'top' | 'bottom' | 'left' | 'right' | 'none', reserved = 40, x = 0, y = 0) {
  const bounds = { x, y, width: 1920, height: 1080 };
  const workArea = {
    x: x + (edge === 'left' ? reserved : 0),
    y: y + (edge === 'top' ? reserved : 0),
    width: 1920 - (edge === 'left' || edge === 'right' ? reserved : 0),
    height: 1080 - (edge === 'top' || edge === 'bottom' ? reserved : 0),
  };
  return { bounds, workArea } satisfies DisplayArea;
}

const cursor = { x: 10, y: 10 };

describe('placeWindow', () => {
  it('puts the window above a bottom taskbar, centred on the tray icon', () => {
    const trayBounds = { x: 1700, y: 1048, width: 24, height: 24 };
    const at = placeWindow({ windowSize: size, trayBounds, displays: [display('bottom')], cursor });
    expect(at).toEqual({ x: 1712 - 190, y: 1040 - 560 - TRAY_GAP });
  });

  it('keeps the window inside the work area when the tray icon is near the corner', () => {
    const trayBounds = { x: 1890, y: 1048, width: 24, height: 24 };
    const at = placeWindow({ windowSize: size, trayBounds, displays: [display('bottom')], cursor });
    expect(at.x).toBe(1920 - 380);
    expect(at.y + size.height).toBeLessThanOrEqual(1040);
  });

  it('hangs the window below a top bar (macOS menu bar, GNOME panel)', () => {
    const trayBounds = { x: 1500, y: 2, width: 22, height: 22 };
    const at = placeWindow({
      windowSize: size,
      trayBounds,
      displays: [display('top', 25)],
      cursor,
    });
    expect(at).toEqual({ x: 1511 - 190, y: 25 + TRAY_GAP });
  });

  it('sits beside a left taskbar, vertically centred on the icon', () => {
    const trayBounds = { x: 8, y: 900, width: 32, height: 32 };
    const at = placeWindow({
      windowSize: size,
      trayBounds,
      displays: [display('left', 48)],
      cursor,
    });
    expect(at).toEqual({ x: 48 + TRAY_GAP, y: 1080 - 560 });
  });

  it('sits beside a right taskbar with the tray at its bottom', () => {
    const trayBounds = { x: 1880, y: 990, width: 32, height: 32 };
    const at = placeWindow({
      windowSize: size,
      trayBounds,
      displays: [display('right', 48)],
      cursor,
    });
    expect(at.x).toBe(1920 - 48 - 380 - TRAY_GAP);
    expect(at.y).toBe(1080 - 560);
  });

  it('uses the display that holds the tray, on a second monitor left of the primary', () => {
    const primary = display('bottom');
    const secondary = display('bottom', 40, -1920, 0);
    const trayBounds = { x: -300, y: 1048, width: 24, height: 24 };
    const at = placeWindow({
      windowSize: size,
      trayBounds,
      displays: [primary, secondary],
      cursor,
    });
    expect(at).toEqual({ x: -288 - 190, y: 1040 - 560 - TRAY_GAP });
  });

  it('uses a display stacked above the primary when the tray is there', () => {
    const primary = display('none');
    const upper = display('top', 30, 0, -1080);
    const trayBounds = { x: 1000, y: -1078, width: 24, height: 24 };
    const at = placeWindow({ windowSize: size, trayBounds, displays: [primary, upper], cursor });
    expect(at.y).toBe(-1080 + 30 + TRAY_GAP);
  });

  it('follows the tray icon when the taskbar auto-hides and reserves nothing', () => {
    const trayBounds = { x: 1700, y: 1050, width: 24, height: 24 };
    const at = placeWindow({ windowSize: size, trayBounds, displays: [display('none')], cursor });
    expect(at.y).toBe(1080 - 560 - TRAY_GAP);
  });

  it('falls back to the bottom-right of the cursor display when tray bounds are empty (Linux)', () => {
    const primary = display('bottom');
    const secondary = display('bottom', 40, 1920, 0);
    const at = placeWindow({
      windowSize: size,
      trayBounds: { x: 0, y: 0, width: 0, height: 0 },
      displays: [primary, secondary],
      cursor: { x: 2500, y: 400 },
    });
    expect(at).toEqual({
      x: 1920 + 1920 - 380 - EDGE_MARGIN,
      y: 1040 - 560 - EDGE_MARGIN,
    });
  });

  it('falls back to the top-right corner when that display has its panel on top', () => {
    const at = placeWindow({
      windowSize: size,
      trayBounds: null,
      displays: [display('top', 32)],
      cursor,
    });
    expect(at).toEqual({ x: 1920 - 380 - EDGE_MARGIN, y: 32 + EDGE_MARGIN });
  });

  it('returns whole pixels for fractional (scaled) tray bounds', () => {
    const trayBounds = { x: 1700.5, y: 1048.25, width: 23.3, height: 23.3 };
    const at = placeWindow({ windowSize: size, trayBounds, displays: [display('bottom')], cursor });
    expect(Number.isInteger(at.x) && Number.isInteger(at.y)).toBe(true);
  });

  it('pins a window taller than the work area to its top', () => {
    const trayBounds = { x: 600, y: 690, width: 24, height: 24 };
    const small = {
      bounds: { x: 0, y: 0, width: 800, height: 600 },
      workArea: { x: 0, y: 0, width: 800, height: 560 },
    };
    const at = placeWindow({
      windowSize: { width: 380, height: 700 },
      trayBounds,
      displays: [small],
      cursor,
    });
    expect(at.y).toBe(0);
  });
});

describe('taskbarEdge', () => {
  it('prefers the tray icon over a dock that reserves more space elsewhere', () => {
    const mac = {
      bounds: { x: 0, y: 0, width: 1440, height: 900 },
      workArea: { x: 0, y: 25, width: 1440, height: 805 },
    };
    expect(taskbarEdge(mac, { x: 1200, y: 12 })).toBe('top');
    expect(taskbarEdge(mac, null)).toBe('bottom');
  });
});
