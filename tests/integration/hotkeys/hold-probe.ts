/**
 * Runs Lumi's hotkey service with the real native keyboard hook in a plain Node process (no
 * Electron) and prints what it sees as JSON lines on stdout:
 *   {"ready":true} | {"unavailable":"…"}   once, after start
 *   {"raw":"down"|"up"}                      every hook event of the hold key (F8)
 *   {"gesture":"holdStarted"|…}              every gesture the hold detector reports
 * It stops when stdin closes. A separate process because the hook aborts its process when it
 * cannot open the display.
 */
import { systemClock } from '../../../main/core/util/clock.ts';
import { HotkeyService } from '../../../main/electron/hotkeys.ts';
import { loadKeyHook } from '../../../main/electron/key-hook.ts';
import { describeProblem } from '../../../shared/problem-english.ts';

const HOLD_KEY = 'F8';
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const source = await loadKeyHook(process.platform, process.env);
const hotkeys = new HotkeyService({
  globalShortcut: { register: () => true, unregister: () => undefined },
  keyHook: source,
  clock: systemClock,
  onToggleTalk: () => print({ toggle: true }),
  onHoldGesture: (gesture) => print({ gesture }),
});

if (source.kind === 'hook') {
  const code = source.keyCodes[HOLD_KEY];
  source.hook.on('keydown', (event) => {
    if (event.keycode === code) print({ raw: 'down' });
  });
  source.hook.on('keyup', (event) => {
    if (event.keycode === code) print({ raw: 'up' });
  });
}

if (hotkeys.start()) {
  hotkeys.apply({ toggleTalk: '', holdToTalk: HOLD_KEY, doubleTapHandsFree: true });
  print({ ready: true });
} else {
  hotkeys.apply({ toggleTalk: '', holdToTalk: HOLD_KEY, doubleTapHandsFree: true });
  print({ unavailable: hotkeys.problems().map(describeProblem).join(' ') });
}

process.stdin.resume();
process.stdin.on('end', () => {
  hotkeys.stop();
  process.exit(0);
});
