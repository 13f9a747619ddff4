/** Small formatting helpers shared by the window's components. */

const SECOND_MS = 1000;

/** The quietest level the meters show; anything below reads as silence. */
export const METER_FLOOR_DBFS = -60;

/** Whole seconds left until `at`, never negative; a partial second counts as a whole one. */
export function secondsUntil(at: number, now: number): number {
  return Math.max(0, Math.ceil((at - now) / SECOND_MS));
}

/** Clamps a level in dBFS to the meters' range [METER_FLOOR_DBFS, 0]. */
export function clampDbfs(dbfs: number): number {
  if (!Number.isFinite(dbfs)) return METER_FLOOR_DBFS;
  return Math.min(0, Math.max(METER_FLOOR_DBFS, dbfs));
}

/**
 * Formatters by locale and style: creating an Intl.DateTimeFormat costs about a millisecond,
 * formatting with one a few microseconds, and every chat row formats two times.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string, style: string, options: Intl.DateTimeFormatOptions) {
  const key = `${locale} ${style}`;
  let format = dateFormats.get(key);
  if (format === undefined) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

/**
 * A message's time: hours and minutes for today, with the date for older days.
 * @param at epoch milliseconds
 * @param now epoch milliseconds, to tell today from other days
 */
export function formatMessageTime(at: number, now: number, locale: string): string {
  const date = new Date(at);
  const sameDay = date.toDateString() === new Date(now).toDateString();
  const format = sameDay
    ? dateFormat(locale, 'time', { hour: '2-digit', minute: '2-digit' })
    : dateFormat(locale, 'day', {
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      });
  return format.format(date);
}

/** The full date and time, for a tooltip. */
export function formatFullTime(at: number, locale: string): string {
  const format = dateFormat(locale, 'full', { dateStyle: 'medium', timeStyle: 'medium' });
  return format.format(new Date(at));
}
