import type { Language } from '../../../shared/settings.ts';
import {
  resolveLocale,
  translate,
  type Locale,
  type MessageKey,
  type MessageParams,
} from '../i18n/translate.ts';

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
}
