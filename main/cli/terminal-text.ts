/**
 * Text from a server, made safe to print on a terminal. A server's sentence is not ours: an
 * escape sequence in it could clear the screen, retitle the window, forge earlier output or,
 * through OSC 52, write the user's clipboard. Human output therefore drops every escape sequence
 * and every control character except newline and tab. `--json` needs none of this: JSON.stringify
 * writes C0 characters as `\u001b`-style escapes, and C1 characters are not read as controls by
 * terminals in UTF-8 (what the CLI writes) unless they are escaped the same way, so it escapes
 * those too (see `jsonLine`).
 */

/**
 * Escape sequences (ECMA-48): CSI `ESC [` … final byte, OSC `ESC ]` / DCS `ESC P` / SOS, PM, APC
 * (`ESC X`, `ESC ^`, `ESC _`) up to their terminator (BEL or ST) or the end of the text, and any
 * other two-character `ESC x`. The 8-bit forms (U+009B CSI, U+009D OSC, …) likewise. Each branch
 * is a run of one character class followed by a fixed ending, so matching stays linear.
 */
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /(?:\u001b\[|\u009b)[\u0020-\u003f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u007e]?/g;
/** What is left: C0 controls but tab and newline, DEL and the C1 controls. */
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` without escape sequences and control characters (newline and tab kept). */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL_CHARACTER, '');
}

/** C1 controls, which JSON.stringify leaves as they are. */
const C1_CONTROL = /[\u0080-\u009f]/g;

const unicodeEscape = (char: string): string =>
  `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One JSON line: JSON.stringify, with C1 controls escaped as well. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(C1_CONTROL, unicodeEscape)}\n`;
}
