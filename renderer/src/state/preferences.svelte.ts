import type { Problem } from '../../../shared/problems.ts';
import type { Result } from '../../../shared/result.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import type { LumiApi } from '../../../shared/ipc.ts';

/** What the window shows about hotkeys beyond the settings themselves. */
export interface HotkeyReport {
  readonly problems: readonly Problem[];
  readonly holdToTalkAvailable: boolean;
}

/**
 * Settings and server profiles as main last reported them. The window never edits a local
 * copy: every change goes to main, and main's answer (or `settingsChanged`) is what shows.
 */
export class Preferences {
  settings: Settings;
  profiles: readonly ServerProfile[];
  hotkeys = $state.raw<HotkeyReport>({ problems: [], holdToTalkAvailable: true });
  readonly #api: LumiApi;

  constructor(api: LumiApi, settings: Settings, profiles: readonly ServerProfile[]) {
    this.#api = api;
    this.settings = $state.raw(settings);
    this.profiles = $state.raw(profiles);
  }

  get activeProfile(): ServerProfile | undefined {
    return this.profiles.find((profile) => profile.id === this.settings.activeProfileId);
  }

  /** Sends a change to main; on success the stored settings replace the shown ones. */
  async update(patch: Partial<Settings>): Promise<Result<Settings>> {
    const result = await this.#api.updateSettings(patch);
    if (result.ok) this.settings = result.value;
    return result;
  }

  /** Saves a profile (and optionally its token) and refreshes the list from main. */
  async saveProfile(profile: ServerProfile, token?: string | null): Promise<Result<ServerProfile>> {
    const result =
      token === undefined
        ? await this.#api.saveProfile(profile)
        : await this.#api.saveProfile(profile, token);
    if (result.ok) await this.refreshProfiles();
    return result;
  }

  async removeProfile(id: string): Promise<Result<undefined>> {
    const result = await this.#api.removeProfile(id);
    if (result.ok) await this.refreshProfiles();
    return result;
  }

  async refreshProfiles(): Promise<void> {
    const result = await this.#api.listProfiles();
    if (result.ok) this.profiles = result.value;
  }
}
