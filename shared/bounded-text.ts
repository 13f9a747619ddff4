/**
 * Text from a server that people read is bounded: a frame may carry up to 1 MiB
 * (connection/options.ts), and a hostile server can put all of it in one transcript, sentence or
 * alert, or stream sentences without end (issue 11). What is cut ends with TRUNCATION_MARK, and
 * the message carrying it is flagged `truncated` (chat.ts).
 */

/** One display field (a transcript, a sentence, an alert, a pushed message, a custom line). */
export const MAX_DISPLAY_TEXT = 16 * 1024;
/**
 * A whole reply: about a hundred printed pages, far beyond any spoken answer, small enough that
 * the window, the store and an export handle it at once.
 */
export const MAX_REPLY_TEXT = 256 * 1024;
/** What ends a cut text. */
export const TRUNCATION_MARK = '…';

export interface BoundedText {
  readonly text: string;
  readonly truncated: boolean;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * `text` if it has at most `limit` UTF-16 units, else its start and TRUNCATION_MARK, `limit`
 * units in all (a surrogate pair is never split). A limit below 1 leaves nothing at all.
 */
export function boundText(text: string, limit: number = MAX_DISPLAY_TEXT): BoundedText {
  if (text.length <= limit) return { text, truncated: false };
  if (limit < 1) return { text: '', truncated: true };
  let end = limit - TRUNCATION_MARK.length;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return { text: `${text.slice(0, end)}${TRUNCATION_MARK}`, truncated: true };
}
