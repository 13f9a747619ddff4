/**
 * Where the chat window goes: next to the tray icon, on the display that holds it, whatever edge
 * the taskbar is on. Pure geometry over plain rectangles (Electron's Rectangle and Display carry
 * these fields), so every layout is testable without a screen.
 */

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface DisplayArea {
  /** The whole display, in screen coordinates. */
  readonly bounds: Rect;
  /** The display minus taskbars, docks and menu bars. */
  readonly workArea: Rect;
}

export type Edge = 'top' | 'bottom' | 'left' | 'right';

/** Gap between the taskbar and the window, so the window reads as attached, not glued. */
export const TRAY_GAP = 4;
/** Minimum distance kept from the display's other edges. */
export const EDGE_MARGIN = 8;

export interface PlacementInput {
  readonly windowSize: { readonly width: number; readonly height: number };
  /** The tray icon's bounds; empty (all zero) where the platform does not report them (Linux). */
  readonly trayBounds: Rect | null;
  readonly displays: readonly DisplayArea[];
  readonly cursor: Point;
}

/** Whether a rectangle carries no position (Linux app indicators report `{0,0,0,0}`). */
export function isEmptyRect(rect: Rect | null): boolean {
  return rect === null || (rect.width === 0 && rect.height === 0);
}

/** The display containing the point, else the one whose bounds are nearest to it. */
export function displayForPoint(displays: readonly DisplayArea[], point: Point): DisplayArea {
  let best: DisplayArea | undefined;
  let bestDistance = Infinity;
  for (const display of displays) {
    const distance = distanceToRect(display.bounds, point);
    if (distance < bestDistance) {
      best = display;
      bestDistance = distance;
    }
  }
  if (!best) throw new Error('window placement needs at least one display');
  return best;
}

/**
 * The edge the taskbar sits on. With a hint (the tray icon's centre): the reserved strip that
 * holds the icon, which tells the macOS menu bar from the dock and a bottom taskbar from the
 * display's right edge near the corner. Where the icon lies in no reserved strip (an auto-hiding
 * taskbar reserves nothing), the display edge nearest to it. Without a hint: the widest reserved
 * strip, else the bottom, where Windows and most Linux panels put it.
 */
export function taskbarEdge(display: DisplayArea, hint: Point | null): Edge {
  const { bounds, workArea } = display;
  const strips: readonly { edge: Edge; width: number; holds: (p: Point) => boolean }[] = [
    {
      edge: 'bottom',
      width: bounds.y + bounds.height - (workArea.y + workArea.height),
      holds: (p) => p.y >= workArea.y + workArea.height,
    },
    { edge: 'top', width: workArea.y - bounds.y, holds: (p) => p.y < workArea.y },
    { edge: 'left', width: workArea.x - bounds.x, holds: (p) => p.x < workArea.x },
    {
      edge: 'right',
      width: bounds.x + bounds.width - (workArea.x + workArea.width),
      holds: (p) => p.x >= workArea.x + workArea.width,
    },
  ];
  const candidates = strips.filter((s) => s.width > 0 && (hint === null || s.holds(hint)));
  const widest = candidates.reduce<(typeof strips)[number] | null>(
    (best, s) => (best === null || s.width > best.width ? s : best),
    null,
  );
  if (widest) return widest.edge;
  return hint === null ? 'bottom' : nearestEdge(bounds, hint);
}

/**
 * Top-left corner for the window, in whole pixels: `setPosition` rejects fractional coordinates
 * (menubar rounds for the same reason).
 */
export function placeWindow(input: PlacementInput): Point {
  const { windowSize, trayBounds, displays, cursor } = input;
  if (trayBounds === null || isEmptyRect(trayBounds)) {
    return cornerPlacement(displayForPoint(displays, cursor), windowSize);
  }
  const trayCentre = centreOf(trayBounds);
  const display = displayForPoint(displays, trayCentre);
  const edge = taskbarEdge(display, trayCentre);
  const area = display.workArea;
  let x: number;
  let y: number;
  switch (edge) {
    case 'top':
      x = trayCentre.x - windowSize.width / 2;
      y = area.y + TRAY_GAP;
      break;
    case 'bottom':
      x = trayCentre.x - windowSize.width / 2;
      y = area.y + area.height - windowSize.height - TRAY_GAP;
      break;
    case 'left':
      x = area.x + TRAY_GAP;
      y = trayCentre.y - windowSize.height / 2;
      break;
    case 'right':
      x = area.x + area.width - windowSize.width - TRAY_GAP;
      y = trayCentre.y - windowSize.height / 2;
      break;
  }
  return clampInto(area, windowSize, { x, y });
}

/** Without tray bounds: the corner of the cursor's display beside its taskbar (bottom-right by default). */
function cornerPlacement(
  display: DisplayArea,
  size: { readonly width: number; readonly height: number },
): Point {
  const area = display.workArea;
  const edge = taskbarEdge(display, null);
  const right = area.x + area.width - size.width - EDGE_MARGIN;
  const bottom = area.y + area.height - size.height - EDGE_MARGIN;
  const corner: Point =
    edge === 'top'
      ? { x: right, y: area.y + EDGE_MARGIN }
      : edge === 'left'
        ? { x: area.x + EDGE_MARGIN, y: bottom }
        : { x: right, y: bottom };
  return clampInto(area, size, corner);
}

function clampInto(
  area: Rect,
  size: { readonly width: number; readonly height: number },
  point: Point,
): Point {
  const clamp = (value: number, min: number, max: number) =>
    Math.round(Math.max(min, Math.min(value, max)));
  return {
    x: clamp(point.x, area.x, area.x + area.width - size.width),
    y: clamp(point.y, area.y, area.y + area.height - size.height),
  };
}

function centreOf(rect: Rect): Point {
  return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 };
}

function distanceToRect(rect: Rect, point: Point): number {
  const dx = Math.max(rect.x - point.x, 0, point.x - (rect.x + rect.width - 1));
  const dy = Math.max(rect.y - point.y, 0, point.y - (rect.y + rect.height - 1));
  return Math.hypot(dx, dy);
}

function nearestEdge(bounds: Rect, point: Point): Edge {
  const distances: readonly [Edge, number][] = [
    ['bottom', bounds.y + bounds.height - point.y],
    ['top', point.y - bounds.y],
    ['left', point.x - bounds.x],
    ['right', bounds.x + bounds.width - point.x],
  ];
  let best = distances[0] as [Edge, number];
  for (const entry of distances) if (entry[1] < best[1]) best = entry;
  return best[0];
}
