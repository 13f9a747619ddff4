/**
 * The `settings:*` channels, and what a settings change does to the running parts (speaker,
 * cues, session, history retention) before the window hears `settingsChanged`.
 */
import type { Settings } from '../../../../shared/settings.ts';
import type { SettingsStore } from '../../store/settings.ts';
import { reported, type AreaHandlers } from '../handlers.ts';

export interface SettingsAreaDeps {
  readonly store: SettingsStore;
  /** Brings the running parts in line with the new settings and announces them. */
  readonly apply: (before: Settings, after: Settings) => void;
}

export interface SettingsArea {
  readonly handlers: AreaHandlers<'settings'>;
  /** Validates, stores and applies a patch (also for the tool-consent choice). */
  update(patch: Partial<Settings>): Settings;
}

export function settingsArea({ store, apply }: SettingsAreaDeps): SettingsArea {
  const update = (patch: Partial<Settings>): Settings => {
    const before = store.settings();
    const after = reported(() => store.update(patch));
    apply(before, after);
    return after;
  };
  return {
    handlers: {
      'settings:get': () => store.settings(),
      'settings:update': ({ patch }) => update(patch),
    },
    update,
  };
}
