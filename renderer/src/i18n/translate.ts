import { noteParams, type DoctorNote } from '../../../shared/doctor-notes.ts';
import { fillPlaceholders, problemParams, type Problem } from '../../../shared/problems.ts';
import type { Language } from '../../../shared/settings.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type MessageKey = keyof typeof en;
/** Every table has exactly the English keys; a missing or extra key fails the type check. */
export type Messages = Readonly<Record<MessageKey, string>>;
export type Locale = 'en' | 'zh-CN';
export type MessageParams = Readonly<Record<string, string | number>>;

const TABLES: Readonly<Record<Locale, Messages>> = { en, 'zh-CN': zhCN };

/**
 * The window's locale: the one the settings name, or for `system` the system language
 * (any Chinese variant gets Simplified Chinese, everything else English).
 */
export function resolveLocale(language: Language, systemLanguage: string): Locale {
  if (language !== 'system') return language;
  return systemLanguage.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The string for `key` in `locale`, with `{name}` placeholders filled from `params`. */
export function translate(locale: Locale, key: MessageKey, params?: MessageParams): string {
  const template = TABLES[locale][key];
  return params === undefined ? template : fillPlaceholders(template, params);
}

/**
 * A problem in `locale`'s words. Every code has a `problem.<code>` key in every table (the
 * key type below fails to compile if one is missing).
 */
export function translateProblem(locale: Locale, problem: Problem): string {
  const key: MessageKey = `problem.${problem.code}`;
  return translate(locale, key, problemParams(problem));
}

/**
 * A "Test connection" note in `locale`'s words: a problem as problems are worded, a step that
 * was not run with the name of the step that failed in this locale.
 */
export function translateDoctorNote(locale: Locale, note: DoctorNote): string {
  if (note.code === 'problem') return translateProblem(locale, note.problem);
  const key: MessageKey = `doctor.note.${note.code}`;
  if (note.code === 'notRun') {
    return translate(locale, key, { after: translate(locale, `doctor.step.${note.after}`) });
  }
  return translate(locale, key, noteParams(note));
}
