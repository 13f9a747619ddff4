/**
 * Settings and profiles on disk: one JSON file, replaced atomically on every write, checked with
 * `StoredSettingsSchema` once it is open (after the migrations ran) and before each write. The
 * file keeps the format `conf`/`electron-store` write (tab-indented JSON, the format version in
 * `__internal__.migrations.version`), so a file from an earlier build opens as it was; conf itself
 * is not used: with ajv and semver it was a third of the core's bundle, and its start-up work
 * (compiling a validator, re-reading and re-writing the file) half of the time to open the store.
 * A damaged file (not JSON, not an object, rejected by the schema) is moved aside to
 * `settings.corrupt-<time>.json` as it was found and defaults are loaded, and the caller is told
 * so it can tell the user.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProblemError } from '../../../shared/problem-english.ts';
import type { Problem } from '../../../shared/problems.ts';
import type { Settings } from '../../../shared/settings.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import * as z from '../util/zod.ts';
import {
  moveAside,
  NOT_RECOVERED,
  PRIVATE_FILE_MODE,
  tightenMode,
  writeFileAtomic,
  type Recovery,
} from './safe-file.ts';
import {
  DEFAULT_STORED_SETTINGS,
  SETTINGS_FILE_NAME,
  SETTINGS_FORMAT_VERSION,
  SETTINGS_MIGRATIONS,
  SettingsSchema,
  StoredProfileSchema,
  StoredSettingsSchema,
  type LegacyTokenSink,
  type RawSettings,
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

/** A change the settings refuse: a code for the caller, the problem for the person. */
export class SettingsError extends ProblemError {
  readonly code: 'invalid' | 'unknownProfile';
  constructor(code: 'invalid' | 'unknownProfile', problem: Problem) {
    super(problem);
    this.code = code;
  }
}

/** A JSON object Lumi cannot use (after the migrations ran). */
class UnusableSettings extends Error {}

/** Where conf and electron-store keep their bookkeeping in the file; kept so either can read it. */
const INTERNAL_KEY = '__internal__';
/** The version of a file that records none: older than every migration. */
const UNVERSIONED = '0.0.0';
/** conf's and electron-store's indentation, so the file reads the same whichever wrote it. */
const FILE_INDENT = '\t';

/** `a` is a later major.minor.patch than `b`. */
function isNewer(a: string, b: string): boolean {
  const [left, right] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (left?.[i] ?? 0) - (right?.[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

/** The settings file: `Settings` for the window, the profile list for ProfileStore. */
export class SettingsStore {
  readonly path: string;
  /** The file's settings, with any key a later build added kept as it was. */
  #data: StoredSettings;
  /** The bookkeeping object conf/electron-store keep, with the format version set. */
  readonly #internal: RawSettings;

  constructor(path: string, data: StoredSettings, internal: RawSettings) {
    this.path = path;
    this.#data = data;
    this.#internal = internal;
  }

  /** The file's text for `data`. */
  serialize(data: StoredSettings = this.#data): string {
    return JSON.stringify({ ...data, [INTERNAL_KEY]: this.#internal }, undefined, FILE_INDENT);
  }

  settings(): Settings {
    const store = this.#data;
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
      throw new SettingsError('invalid', { code: 'unknownSettings', names: unknown.join(', ') });
    }
    const checked = SettingsPatchSchema.safeParse(patch);
    if (!checked.success) {
      throw new SettingsError('invalid', {
        code: 'invalidSetting',
        detail: describeIssues(checked.error),
      });
    }
    const active = checked.data.activeProfileId;
    if (active !== undefined && !this.profiles().some((profile) => profile.id === active)) {
      throw new SettingsError('unknownProfile', { code: 'unknownProfile', id: active });
    }
    this.write(checked.data as Partial<StoredSettings>);
    return this.settings();
  }

  profiles(): readonly StoredProfile[] {
    return this.#data.profiles;
  }

  /** Replace the profile list (and the active id) in one validated, atomic write. */
  writeProfiles(profiles: readonly StoredProfile[], activeProfileId: string): void {
    if (!profiles.some((profile) => profile.id === activeProfileId)) {
      throw new SettingsError('unknownProfile', { code: 'unknownProfile', id: activeProfileId });
    }
    const ids = new Set(profiles.map((profile) => profile.id));
    if (ids.size !== profiles.length)
      throw new SettingsError('invalid', { code: 'duplicateProfileIds' });
    const checked = ProfileListSchema.safeParse(profiles);
    if (!checked.success) {
      throw new SettingsError('invalid', {
        code: 'invalidProfile',
        detail: describeIssues(checked.error),
      });
    }
    this.write({ profiles: checked.data, activeProfileId });
  }

  /** Merge `patch` and replace the file; the store changes only once the file has. */
  write(patch: Partial<StoredSettings>): void {
    const next = { ...this.#data, ...patch };
    writeFileAtomic(this.path, this.serialize(next));
    this.#data = next;
  }
}

export interface OpenSettingsOptions {
  /** Folder of `settings.json`. */
  readonly cwd: string;
  readonly clock?: Clock;
  /** Receives a token found in an old (1.x) settings file, for the secret store. */
  readonly onLegacyToken?: LegacyTokenSink;
}

export interface OpenedSettings {
  readonly store: SettingsStore;
  /** `recovered: true` when the file was damaged and moved aside: tell the user where it went. */
  readonly recovery: Recovery;
}

/** The object a file holds, or why it holds none. */
function parseFile(text: string): RawSettings | string {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as RawSettings)
      : 'the file does not hold a JSON object';
  } catch (error) {
    return String(error);
  }
}

/** The version a file records, as conf/electron-store record it. */
function recordedVersion(internal: RawSettings): string {
  const migrations = internal['migrations'];
  const version =
    typeof migrations === 'object' && migrations !== null
      ? (migrations as RawSettings)['version']
      : undefined;
  return typeof version === 'string' ? version : UNVERSIONED;
}

/**
 * The store for a file's object (`{}` for a new file): the defaults under it, the migrations it
 * has not had run over it, then the schema check. Throws UnusableSettings; writes nothing.
 */
function construct(path: string, file: RawSettings, onLegacyToken?: LegacyTokenSink) {
  const { [INTERNAL_KEY]: internalValue, ...content } = file;
  const internal =
    typeof internalValue === 'object' && internalValue !== null
      ? (internalValue as RawSettings)
      : {};
  const version = recordedVersion(internal);
  let data: RawSettings = { ...DEFAULT_STORED_SETTINGS, ...content };
  for (const migration of SETTINGS_MIGRATIONS) {
    if (isNewer(migration.version, version)) data = migration.migrate(data, onLegacyToken);
  }
  const checked = StoredSettingsSchema.safeParse(data);
  if (!checked.success) throw new UnusableSettings(describeIssues(checked.error));
  const profiles = checked.data.profiles;
  if (new Set(profiles.map((profile) => profile.id)).size !== profiles.length) {
    throw new UnusableSettings('two profiles share one id');
  }
  // Keys a later build added stay as they were; the ones Lumi knows come checked.
  let stored: StoredSettings = { ...data, ...checked.data };
  const first = profiles[0];
  if (first && !profiles.some((profile) => profile.id === stored.activeProfileId)) {
    // A hand-edited file that removed the active profile: point at the first one, lose nothing.
    stored = { ...stored, activeProfileId: first.id };
  }
  const newest = isNewer(version, SETTINGS_FORMAT_VERSION) ? version : SETTINGS_FORMAT_VERSION;
  const migrations = { ...(internal['migrations'] as RawSettings | undefined), version: newest };
  return new SettingsStore(path, stored, { ...internal, migrations });
}

/** The defaults, written (a read-only folder throws). */
function fresh(path: string): SettingsStore {
  const store = construct(path, {});
  store.write({});
  return store;
}

/**
 * Open the settings in `cwd`. A damaged file is moved aside and defaults are loaded; the result
 * says so. Throws only if the defaults themselves cannot be written (a read-only folder).
 */
export function openSettings(options: OpenSettingsOptions): OpenedSettings {
  const clock = options.clock ?? systemClock;
  const path = join(options.cwd, `${SETTINGS_FILE_NAME}.json`);
  // Written 0600 (safe-file.ts); a file from an older Lumi is narrowed now.
  tightenMode(path, PRIVATE_FILE_MODE);
  if (!existsSync(path)) return { store: fresh(path), recovery: NOT_RECOVERED };
  const text = readFileSync(path, 'utf8');
  const file = parseFile(text);
  if (typeof file === 'string') {
    const movedTo = moveAside(path, clock.now());
    const recovery: Recovery = { recovered: true, movedTo, reason: 'corruptJson', detail: file };
    return { store: fresh(path), recovery };
  }
  try {
    const store = construct(path, file, options.onLegacyToken);
    // Defaults added, a migration run, or a dangling active profile re-pointed: save it.
    if (store.serialize() !== text) store.write({});
    return { store, recovery: NOT_RECOVERED };
  } catch (error) {
    if (!(error instanceof UnusableSettings)) throw error;
    const movedTo = moveAside(path, clock.now());
    return {
      store: fresh(path),
      recovery: { recovered: true, movedTo, reason: 'schemaInvalid', detail: error.message },
    };
  }
}
