/**
 * The in-window talk key: hold Space to talk while the window is focused and the focus is not
 * on something that uses Space itself (a text field, a button, a link, a dialog). Clicking the
 * chat history and holding Space is the usual way; the global hotkeys work everywhere else.
 */
export const WINDOW_TALK_CODE = 'Space';

const USES_SPACE =
  'input, textarea, select, button, a[href], [contenteditable=""], [contenteditable="true"], [role="dialog"]';

/** Whether a key event is the talk key, pressed where Space has no other job. */
export function isWindowTalkKey(event: KeyboardEvent): boolean {
  if (event.code !== WINDOW_TALK_CODE) return false;
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return false;
  const target = event.target;
  return !(target instanceof Element) || target.closest(USES_SPACE) === null;
}
