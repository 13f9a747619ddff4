/**
 * The shape of `settings.json`: `Settings` (shared/settings.ts) plus the server profiles, as one
 * zod schema, so the file check, the import check and the patch check can never disagree.
 * Secrets are never part of this file.
 */
import type { Options } from 'conf';
import type Conf from 'conf';
import * as z from '../util/zod.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import { PRIVATE_FILE_MODE } from './safe-file.ts';
import { DEFAULT_PROFILE } from './server-presets.ts';

/** A profile as stored: `hasToken` is not stored, it is read from the secret store. */
export type StoredProfile = Omit<ServerProfile, 'hasToken'>;
export type StoredSettings = Settings & { readonly profiles: readonly StoredProfile[] };

/**
 * Version of the settings file format (semver because `conf` migrations key on it). 1.x: the
 * first Lumi builds, one server (`serverUrl`, `token`) and volume as 0–1; 2.0.0: profiles.
 */
export const SETTINGS_FORMAT_VERSION = '2.0.0';
export const SETTINGS_FILE_NAME = 'settings';

export const PROFILE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Servers close a silent session at 120 s (docs/protocol.md §8.6); Lumi hangs up before that. */
const MAX_IDLE_HANGUP_SECONDS = 110;
const MIN_IDLE_HANGUP_SECONDS = 10;
/** A typed message waits at most a day: past that nobody expects the question answered. */
const MAX_OUTBOX_AGE_MINUTES = 24 * 60;

export const EndpointSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('websocket'), url: z.string().check(z.regex(/^wss?:\/\/\S+$/i)) }),
  z.object({ kind: z.literal('ota'), url: z.string().check(z.regex(/^https?:\/\/\S+$/i)) }),
]);

export const StoredProfileSchema = z.object({
  id: z.string().check(z.regex(PROFILE_ID_PATTERN)),
  name: z.string().check(z.minLength(1), z.maxLength(80)),
  endpoint: EndpointSchema,
  dialect: z.enum(['xiaozhi', 'lumi']),
  appHeartbeat: z.boolean(),
  caFile: z.nullable(z.string().check(z.minLength(1))),
  allowInsecureWebSocket: z.optional(z.boolean()),
  activation: z.enum(['none', 'pending', 'activated']),
});

export const SettingsSchema = z.object({
  activeProfileId: z.string().check(z.regex(PROFILE_ID_PATTERN)),
  mode: z.enum(['manual', 'auto']),
  realtimeEnabled: z.boolean(),
  cues: z.boolean(),
  volume: z.int().check(z.gte(0), z.lte(100)),
  inputDevice: z.nullable(z.string()),
  outputDevice: z.nullable(z.string()),
  frameDurationMs: z.union([z.literal(20), z.literal(40), z.literal(60)]),
  idleHangupSeconds: z.int().check(z.gte(MIN_IDLE_HANGUP_SECONDS), z.lte(MAX_IDLE_HANGUP_SECONDS)),
  hotkeys: z.object({
    toggleTalk: z.string(),
    holdToTalk: z.string(),
    doubleTapHandsFree: z.boolean(),
  }),
  language: z.enum(['system', 'en', 'zh-CN']),
  startAtLogin: z.boolean(),
  notifications: z.boolean(),
  historyRetentionDays: z.nullable(z.int().check(z.gte(1))),
  outboxMaxAgeMinutes: z.int().check(z.gte(1), z.lte(MAX_OUTBOX_AGE_MINUTES)),
  toolConsent: z.record(z.string(), z.enum(['allow', 'ask', 'deny'])),
});

export const StoredSettingsSchema = z.extend(SettingsSchema, {
  profiles: z.array(StoredProfileSchema).check(z.minLength(1)),
});

export const DEFAULT_SETTINGS: Settings = {
  activeProfileId: DEFAULT_PROFILE.id,
  mode: 'auto',
  realtimeEnabled: false,
  cues: true,
  volume: 80,
  inputDevice: null,
  outputDevice: null,
  frameDurationMs: 60,
  idleHangupSeconds: 90,
  hotkeys: {
    toggleTalk: 'CommandOrControl+Shift+Space',
    holdToTalk: 'F9',
    doubleTapHandsFree: true,
  },
  language: 'system',
  startAtLogin: false,
  notifications: true,
  historyRetentionDays: null,
  outboxMaxAgeMinutes: 10,
  toolConsent: {},
};

export const DEFAULT_STORED_SETTINGS: StoredSettings = {
  ...DEFAULT_SETTINGS,
  profiles: [DEFAULT_PROFILE],
};

/** The 1.x keys the 2.0.0 migration reads and removes. */
interface LegacySettings {
  readonly serverUrl?: unknown;
  readonly token?: unknown;
  readonly volume?: unknown;
}

export const MIGRATED_PROFILE_ID = 'migrated';

/** Called with a token found in a 1.x settings file, so the caller can move it to the secret store. */
export type LegacyTokenSink = (profileId: string, token: string) => void;

/**
 * 1.x → 2.0.0: the single `serverUrl` becomes a profile (OTA for http(s), direct for ws(s)) and
 * the active one; a plaintext `token` leaves the settings file for the secret store; volume
 * moves from 0–1 to 0–100.
 */
export function migrateToProfiles(store: Conf<StoredSettings>, onLegacyToken?: LegacyTokenSink) {
  const legacy = store.store as StoredSettings & LegacySettings;
  const raw = store as unknown as Conf<Record<string, unknown>>;
  const url = typeof legacy.serverUrl === 'string' ? legacy.serverUrl.trim() : '';
  const endpoint = EndpointSchema.safeParse({
    kind: /^wss?:/i.test(url) ? 'websocket' : 'ota',
    url,
  });
  if (endpoint.success) {
    const profile: StoredProfile = {
      ...DEFAULT_PROFILE,
      id: MIGRATED_PROFILE_ID,
      name: (URL.parse(url)?.host || url).slice(0, 80),
      endpoint: endpoint.data,
    };
    const others = store.get('profiles').filter((each) => each.id !== MIGRATED_PROFILE_ID);
    store.set({ profiles: [profile, ...others], activeProfileId: profile.id });
    if (typeof legacy.token === 'string' && legacy.token !== '') {
      onLegacyToken?.(profile.id, legacy.token);
    }
  }
  if (typeof legacy.volume === 'number' && legacy.volume >= 0 && legacy.volume <= 1) {
    store.set('volume', Math.round(legacy.volume * 100));
  }
  raw.delete('serverUrl');
  // The token leaves the file even when there was no URL to attach it to: settings hold no secrets.
  raw.delete('token');
}

/**
 * The options for `conf` (or for `electron-store`, which wraps it): defaults and migrations.
 * `cwd` is where the file lives (Electron: `app.getPath('userData')`). No JSON schema: conf
 * would compile one with ajv, ~13 MB resident for a check `StoredSettingsSchema` already makes
 * (settings.ts validates the file once it is open and every write before it is made).
 */
export function settingsConfOptions(
  cwd: string,
  onLegacyToken?: LegacyTokenSink,
): Options<StoredSettings> {
  const migrations: NonNullable<Options<StoredSettings>['migrations']> = {
    '2.0.0': (store) => migrateToProfiles(store, onLegacyToken),
  };
  return {
    cwd,
    configName: SETTINGS_FILE_NAME,
    projectVersion: SETTINGS_FORMAT_VERSION,
    // conf's defaults type also admits dot-notation keys (`toolConsent.<tool>`); ours has none.
    defaults: DEFAULT_STORED_SETTINGS as NonNullable<Options<StoredSettings>['defaults']>,
    migrations,
    // Damaged files are moved aside by settings.ts; conf's own reset would lose them.
    clearInvalidConfig: false,
    watch: false,
    // Private like every file Lumi keeps (safe-file.ts); conf's default is 0666 less the umask.
    configFileMode: PRIVATE_FILE_MODE,
  };
}
