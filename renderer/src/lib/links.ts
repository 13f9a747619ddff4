/**
 * Finding links in chat text. Only `https:` URLs become links: the window never navigates, and
 * main opens a link in the system browser only after the user confirmed it (Electron security
 * checklist items 13–15: allowlist the scheme, compare parsed URLs, never trust chat text).
 */

export type TextSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'link'; readonly text: string; readonly url: string };

/** A run of non-space characters after `https://`; closing brackets are trimmed below. */
const HTTPS_RUN = /https:\/\/[^\s<>"'`]+/gi;
/**
 * Punctuation that ends a sentence rather than a URL (ASCII and the CJK full-width forms). It is
 * trimmed by walking back from the end: a `[…]+$` regex retries from every position of a long
 * punctuation run and is quadratic on server text.
 */
const TRAILING_PUNCTUATION = new Set('.,;:!?)]}\'"，。；：！？）】》」』、');

/** `candidate` without the sentence punctuation at its end. */
function trimTrailingPunctuation(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING_PUNCTUATION.has(candidate.charAt(end - 1))) end -= 1;
  return candidate.slice(0, end);
}

/** Whether a URL may be handed to `openLink`: it parses and its scheme is exactly `https:`. */
export function isSafeLink(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'https:' && parsed.hostname !== '';
}

/** Splits text into plain runs and `https:` links, in order; joining the texts gives the input. */
export function splitLinks(text: string): readonly TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(HTTPS_RUN)) {
    const candidate = trimTrailingPunctuation(match[0]);
    if (!isSafeLink(candidate)) continue;
    if (match.index > last) segments.push({ kind: 'text', text: text.slice(last, match.index) });
    segments.push({ kind: 'link', text: candidate, url: new URL(candidate).href });
    last = match.index + candidate.length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}
