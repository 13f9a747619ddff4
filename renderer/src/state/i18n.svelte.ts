import type { DoctorNote } from '../../../shared/doctor-notes.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Language } from '../../../shared/settings.ts';
import {
  resolveLocale,
  translate,
  translateDoctorNote,
  translateProblem,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '../i18n/translate.ts';
import type { NoticeContent } from './notices.svelte.ts';

/** The window's strings in the language the settings ask for. */
export class I18n {
  readonly locale: Locale;

  /**
   * @param language reads the language setting (reactive)
   * @param systemLanguage the system's language tag, `navigator.language` in the window
   */
  constructor(language: () => Language, systemLanguage: string) {
    this.locale = $derived(resolveLocale(language(), systemLanguage));
  }

  /** Translates `key`; reading it in a template re-renders when the language changes. */
  t = (key: MessageKey, params?: MessageParams): string => translate(this.locale, key, params);

  /** A problem the core reported, in the window's language. */
  problem = (problem: Problem): string => translateProblem(this.locale, problem);

  /** What a "Test connection" step saw, or its fix, in the window's language. */
  doctorNote = (note: DoctorNote): string => translateDoctorNote(this.locale, note);

  /** A notice's text, its problem worded into the `{problem}` placeholder. */
  notice = (content: NoticeContent): string =>
    this.t(
      content.key,
      content.problem === undefined
        ? content.params
        : { ...content.params, problem: this.problem(content.problem) },
    );
}
