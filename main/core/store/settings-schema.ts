/**
 * The shape of `settings.json`: `Settings` (shared/settings.ts) plus the server profiles, as one
 * zod schema, so the file check, the import check and the patch check can never disagree.
 * Secrets are never part of this file.
 */
import * as z from '../util/zod.ts';
import type { ServerProfile, Settings } from '../../../shared/settings.ts';
import { DEFAULT_PROFILE } from './server-presets.ts';

/** A profile as stored: `hasToken` is not stored, it is read from the secret store. */
export type StoredProfile = Omit<ServerProfile, 'hasToken'>;
export type StoredSettings = Settings & { readonly profiles: readonly StoredProfile[] };

/**
 * Version of the settings file format (major.minor.patch, as `conf`/`electron-store` record it in
 * `__internal__.migrations.version`). 1.x: the first Lumi builds, one server (`serverUrl`,
 * `token`) and volume as 0–1; 2.0.0: profiles.
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
  transport: z.optional(z.enum(['auto', 'websocket', 'mqtt'])),
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
  keepPictureThumbnails: z.boolean(),
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
  keepPictureThumbnails: false,
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

/** The file's content as read: anything, until the schema has checked it. */
export type RawSettings = Record<string, unknown>;

/**
 * 1.x → 2.0.0: the single `serverUrl` becomes a profile (OTA for http(s), direct for ws(s)) and
 * the active one; a plaintext `token` leaves the settings file for the secret store; volume
 * moves from 0–1 to 0–100. Runs on the file merged over the defaults, as conf ran it.
 */
export function migrateToProfiles(data: RawSettings, onLegacyToken?: LegacyTokenSink): RawSettings {
  const { serverUrl, token, ...next } = data as RawSettings & LegacySettings;
  const url = typeof serverUrl === 'string' ? serverUrl.trim() : '';
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
    const stored = Array.isArray(next['profiles']) ? (next['profiles'] as StoredProfile[]) : [];
    next['profiles'] = [profile, ...stored.filter((each) => each.id !== MIGRATED_PROFILE_ID)];
    next['activeProfileId'] = profile.id;
    if (typeof token === 'string' && token !== '') onLegacyToken?.(profile.id, token);
  }
  const volume = next['volume'];
  if (typeof volume === 'number' && volume >= 0 && volume <= 1) {
    next['volume'] = Math.round(volume * 100);
  }
  return next;
}

export interface SettingsMigration {
  /** The format version the file has once this migration ran. */
  readonly version: string;
  readonly migrate: (data: RawSettings, onLegacyToken?: LegacyTokenSink) => RawSettings;
}

/** In version order; a file runs those newer than the version it records (none recorded: all). */
export const SETTINGS_MIGRATIONS: readonly SettingsMigration[] = [
  { version: '2.0.0', migrate: migrateToProfiles },
];
