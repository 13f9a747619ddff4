/**
 * A real X server for the screen tests: Xvfb at 1920×1080 on a display it picks itself, its root
 * window painted a known colour with xsetroot, captured by Lumi with xwd.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

const START_TIMEOUT_MS = 5_000;
export const SCREEN = { width: 1920, height: 1080 } as const;
/** The colour the screen is painted, as the vision model must report it. */
export const SCREEN_COLOUR = '#336699';

/** Tools these tests need; CI installs them (.ci/run), a developer machine may lack them. */
export const missingX11Tools = ['Xvfb', 'xsetroot', 'xwd'].filter(
  (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0,
);

export interface XDisplay {
  readonly display: string;
  stop(): void;
}

/**
 * Start Xvfb and paint its root window: `colour` solid, or with `pattern` xsetroot's
 * `-mod 16 16` grid in that colour on white (screen-like detail for the bench).
 */
export async function startPaintedXvfb(colour = SCREEN_COLOUR, pattern = false): Promise<XDisplay> {
  const server: ChildProcess = spawn(
    'Xvfb',
    [
      '-displayfd',
      '1',
      '-screen',
      '0',
      `${SCREEN.width}x${SCREEN.height}x24`,
      '-nolisten',
      'tcp',
      // Without it the server resets when xsetroot disconnects, and the colour is gone.
      '-noreset',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const number = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('Xvfb did not report a display')),
      START_TIMEOUT_MS,
    );
    server.stdout?.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.toString().trim());
    });
    server.once('exit', (code) => reject(new Error(`Xvfb exited with ${String(code)}`)));
  });
  const display = `:${number}`;
  const paint = pattern ? ['-mod', '16', '16', '-fg', colour, '-bg', 'white'] : ['-solid', colour];
  const painted = spawnSync('xsetroot', paint, {
    env: { ...process.env, DISPLAY: display },
  });
  if (painted.status !== 0) throw new Error(`xsetroot failed: ${String(painted.stderr)}`);
  return { display, stop: () => server.kill() };
}

/** The `#rrggbb` in a vision answer, as numbers; null when there is none. */
export function colourIn(answer: string): [number, number, number] | null {
  const match = /#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(answer);
  if (match === null) return null;
  return [match[1], match[2], match[3]].map((hex) => parseInt(hex ?? '', 16)) as [
    number,
    number,
    number,
  ];
}

/** Each channel within `tolerance` of the painted colour (JPEG rounds a little). */
export function nearColour(
  seen: [number, number, number] | null,
  colour = SCREEN_COLOUR,
  tolerance = 3,
): boolean {
  const expected = colourIn(colour);
  return (
    seen !== null &&
    expected !== null &&
    seen.every((value, i) => Math.abs(value - (expected[i] ?? 0)) <= tolerance)
  );
}
