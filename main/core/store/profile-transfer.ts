/**
 * Export and import of server profiles as JSON. Without secrets (the default) an export holds
 * only what the user typed: no identity, no token, no device key, and activation reset, since a
 * fresh identity on the other side must be activated again. With secrets it also carries the
 * identity, token and key, so a move to a new computer keeps the device bound to the server
 * (the token is bound to the Client-Id and Device-Id, docs/protocol.md §1.3).
 */
import { closeSync, fchmodSync, openSync, writeSync } from 'node:fs';
import * as z from '../util/zod.ts';
import { ProblemError } from '../../../shared/problem-english.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import { DeviceIdentitySchema, type IdentityStore } from './identity.ts';
import type { ProfileStore } from './profiles.ts';
import type { SecretStore } from './secrets.ts';
import { StoredProfileSchema } from './settings-schema.ts';

export const PROFILES_EXPORT_FORMAT = 'lumi-profiles';

const ExportSchema = z.object({
  format: z.literal(PROFILES_EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.number(),
  profiles: z.array(
    z.object({
      profile: StoredProfileSchema,
      identity: z.optional(DeviceIdentitySchema),
      secrets: z.optional(
        z.object({
          token: z.optional(z.string()),
          deviceKey: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
        }),
      ),
    }),
  ),
});
type ProfilesExport = z.infer<typeof ExportSchema>;

export interface TransferDeps {
  readonly profiles: ProfileStore;
  readonly identities: IdentityStore;
  readonly secrets: SecretStore;
}

export interface ExportOptions {
  /** Include identity, token and device key. Off unless the user asked for it. */
  readonly includeSecrets?: boolean;
  /** Profiles to export; all when absent. */
  readonly ids?: readonly string[];
  readonly now: number;
}

/** The profiles as pretty-printed JSON. */
export function exportProfiles(deps: TransferDeps, options: ExportOptions): string {
  const chosen = deps.profiles
    .list()
    .filter((profile) => options.ids === undefined || options.ids.includes(profile.id));
  const document: ProfilesExport = {
    format: PROFILES_EXPORT_FORMAT,
    version: 1,
    exportedAt: options.now,
    profiles: chosen.map(({ hasToken: _hasToken, ...profile }) => {
      if (!options.includeSecrets) return { profile: { ...profile, activation: 'none' } };
      const identity = deps.identities.get(profile.id);
      const token = deps.secrets.get(profile.id, 'token');
      const deviceKey = deps.secrets.get(profile.id, 'deviceKey');
      return {
        profile,
        ...(identity ? { identity } : {}),
        secrets: {
          ...(token !== null ? { token } : {}),
          ...(deviceKey !== null ? { deviceKey } : {}),
        },
      };
    }),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Owner only: an export with secrets holds what the keystore guards. */
const SECRETS_EXPORT_MODE = 0o600;

/**
 * Writes every profile with its secrets to `path`, a file the user picked, readable by its
 * owner only (also when it existed with a wider mode: the mode is set before anything is
 * written). The secrets go from the stores to the file and nowhere else.
 */
export function writeSecretsExport(deps: TransferDeps, path: string, now: number): void {
  const fd = openSync(path, 'w', SECRETS_EXPORT_MODE);
  try {
    fchmodSync(fd, SECRETS_EXPORT_MODE);
    writeSync(fd, exportProfiles(deps, { includeSecrets: true, now }));
  } finally {
    closeSync(fd);
  }
}

export class ImportError extends ProblemError {}

export interface ImportResult {
  readonly imported: readonly ServerProfile[];
}

/**
 * Add the profiles of an export. Every imported profile is added, never merged: an id already
 * in use gets a fresh one. Identities and secrets are taken over when the file has them.
 */
export function importProfiles(deps: TransferDeps, json: string): ImportResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ImportError({ code: 'importNotJson' });
  }
  const checked = ExportSchema.safeParse(parsed);
  if (!checked.success) {
    throw new ImportError({ code: 'importNotLumi' });
  }
  const imported: ServerProfile[] = [];
  for (const entry of checked.data.profiles) {
    const taken = new Set(deps.profiles.list().map((profile) => profile.id));
    const saved = deps.profiles.save({
      ...entry.profile,
      id: taken.has(entry.profile.id) ? '' : entry.profile.id,
      activation: 'none',
    });
    if (entry.identity !== undefined) {
      deps.identities.adopt(saved.id, entry.identity);
      if (entry.profile.activation !== 'none') {
        deps.profiles.setActivation(saved.id, entry.profile.activation);
      }
    }
    if (entry.secrets?.token) deps.secrets.set(saved.id, 'token', entry.secrets.token);
    if (entry.secrets?.deviceKey) deps.secrets.set(saved.id, 'deviceKey', entry.secrets.deviceKey);
    imported.push(deps.profiles.get(saved.id));
  }
  return { imported };
}
