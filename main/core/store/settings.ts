/**
 * Settings and profiles on disk, through `conf` (atomic writes, defaults, migrations), checked
 * with `StoredSettingsSchema`: the whole file once it is open (after the migrations ran), each
 * write before it is made. A damaged file (not JSON, not an object, rejected by the schema) is
 * moved aside to `settings.corrupt-<time>.json` as it was found and defaults are loaded, and the
 * caller is told so it can tell the user: conf's own `clearInvalidConfig` would silently
 * overwrite it (conf `source/index.ts`).
 */
import Conf, { type Options } from 'conf';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../../../shared/settings.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import * as z from '../util/zod.ts';
import {
  moveAside,
  NOT_RECOVERED,
  PRIVATE_FILE_MODE,
  tightenMode,
  type Recovery,
} from './safe-file.ts';
import {
  SETTINGS_FILE_NAME,
  SettingsSchema,
  StoredProfileSchema,
  StoredSettingsSchema,
  settingsConfOptions,
  type LegacyTokenSink,
  type StoredProfile,
  type StoredSettings,
} from './settings-schema.ts';

const SETTINGS_KEYS = Object.keys(SettingsSchema.shape) as (keyof Settings)[];
const SettingsPatchSchema = z.partial(SettingsSchema);
const ProfileListSchema = z.array(StoredProfileSchema).check(z.minLength(1));

/** `path: message; …` for a rejected value. */
function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

export class SettingsError extends Error {
  readonly code: 'invalid' | 'unknownProfile';
  constructor(code: 'invalid' | 'unknownProfile', message: string) {
    super(message);
    this.code = code;
  }
}

/** A file conf would accept but Lumi cannot use. */
class UnusableSettings extends Error {}

/** The settings file: `Settings` for the window, the profile list for ProfileStore. */
export class SettingsStore {
  readonly #conf: Conf<StoredSettings>;

  constructor(conf: Conf<StoredSettings>) {
    this.#conf = conf;
  }

  get path(): string {
    return this.#conf.path;
  }

  settings(): Settings {
    const store = this.#conf.store;
    return Object.fromEntries(SETTINGS_KEYS.map((key) => [key, store[key]])) as unknown as Settings;
  }

  /**
   * Apply a patch from the window. Unknown keys, values the schema rejects and an active profile
   * that does not exist are refused with a SettingsError; nothing is written then.
   */
  update(patch: Partial<Settings>): Settings {
    const unknown = Object.keys(patch).filter(
      (key) => !SETTINGS_KEYS.includes(key as keyof Settings),
    );
    if (unknown.length > 0) {
      throw new SettingsError('invalid', `Unknown setting(s): ${unknown.join(', ')}.`);
    }
    const checked = SettingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      throw new SettingsError('invalid', `Invalid setting: ${describeIssues(checked.error)}.`);
    }
    const active = checked.data.activeProfileId;
    if (active !== undefined && !this.profiles().some((profile) => profile.id === active)) {
      throw new SettingsError('unknownProfile', `There is no profile "${active}".`);
    }
    this.#conf.set(checked.data as Partial<StoredSettings>);
    return this.settings();
  }

  profiles(): readonly StoredProfile[] {
    return this.#conf.get('profiles');
  }

  /** Replace the profile list (and the active id) in one validated, atomic write. */
  writeProfiles(profiles: readonly StoredProfile[], activeProfileId: string): void {
    if (!profiles.some((profile) => profile.id === activeProfileId)) {
      throw new SettingsError('unknownProfile', `There is no profile "${activeProfileId}".`);
    }
    const ids = new Set(profiles.map((profile) => profile.id));
    if (ids.size !== profiles.length)
      throw new SettingsError('invalid', 'Profile ids must be unique.');
    const checked = ProfileListSchema.safeParse(profiles);
    if (!checked.success) {
      throw new SettingsError('invalid', `Invalid profile: ${describeIssues(checked.error)}.`);
    }
    this.#conf.set({ profiles: checked.data, activeProfileId });
  }
}

export interface OpenSettingsOptions {
  /** Folder of `settings.json`. */
  readonly cwd: string;
  readonly clock?: Clock;
  /** Receives a token found in an old (1.x) settings file, for the secret store. */
  readonly onLegacyToken?: LegacyTokenSink;
  /**
   * Builds the store from the options; plain `conf` by default. The Electron main may pass
   * `(options) => new ElectronStore(options)` (electron-store extends conf).
   */
  readonly create?: (options: Options<StoredSettings>) => Conf<StoredSettings>;
}

export interface OpenedSettings {
  readonly store: SettingsStore;
  /** `recovered: true` when the file was damaged and moved aside: tell the user where it went. */
  readonly recovery: Recovery;
}

function construct(options: OpenSettingsOptions): SettingsStore {
  const confOptions = settingsConfOptions(options.cwd, options.onLegacyToken);
  const conf = options.create ? options.create(confOptions) : new Conf<StoredSettings>(confOptions);
  const checked = StoredSettingsSchema.safeParse(conf.store);
  if (!checked.success) throw new UnusableSettings(describeIssues(checked.error));
  const profiles = conf.get('profiles');
  if (new Set(profiles.map((profile) => profile.id)).size !== profiles.length) {
    throw new UnusableSettings('two profiles share one id');
  }
  const first = profiles[0];
  if (first && !profiles.some((profile) => profile.id === conf.get('activeProfileId'))) {
    // A hand-edited file that removed the active profile: point at the first one, lose nothing.
    conf.set('activeProfileId', first.id);
  }
  return new SettingsStore(conf);
}

/** The JSON-level check, made before conf reads anything. */
function unreadableReason(path: string): string | null {
  if (!existsSync(path)) return null;
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? null
      : 'the file does not hold a JSON object';
  } catch (error) {
    return String(error);
  }
}

/**
 * Open the settings in `cwd`. A damaged file is moved aside and defaults are loaded; the result
 * says so. Throws only if the defaults themselves cannot be written (a read-only folder).
 */
export function openSettings(options: OpenSettingsOptions): OpenedSettings {
  const clock = options.clock ?? systemClock;
  const path = join(options.cwd, `${SETTINGS_FILE_NAME}.json`);
  // conf sets the mode when it writes; a file from an older Lumi is narrowed now.
  tightenMode(path, PRIVATE_FILE_MODE);
  const unreadable = unreadableReason(path);
  if (unreadable !== null) {
    const movedTo = moveAside(path, clock.now());
    const recovery: Recovery = {
      recovered: true,
      movedTo,
      reason: 'corruptJson',
      detail: unreadable,
    };
    return { store: construct(options), recovery };
  }
  // As found: a migration may have rewritten the file before the schema check refused it.
  const original = existsSync(path) ? readFileSync(path) : null;
  try {
    return { store: construct(options), recovery: NOT_RECOVERED };
  } catch (error) {
    if (original === null) throw error;
    writeFileSync(path, original);
    const movedTo = moveAside(path, clock.now());
    const detail = error instanceof Error ? error.message : String(error);
    return {
      store: construct(options),
      recovery: { recovered: true, movedTo, reason: 'schemaInvalid', detail },
    };
  }
}
