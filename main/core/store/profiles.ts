/**
 * Server profiles: several, one active. Each has its own device identity (identity.ts), its own
 * token and device key (secrets.ts), its own activation state, and its own history (history
 * conversations carry the profile id). What leaves this module is `ServerProfile`, which says
 * `hasToken` and never holds the token.
 */
import type { ServerProfile } from '../../../shared/settings.ts';
import type { IdentityStore } from './identity.ts';
import type { SecretStore, SecretWrite } from './secrets.ts';
import { loadMqttCredentials, saveMqttCredentials, type StoredMqtt } from './mqtt-credentials.ts';
import { SettingsError, type SettingsStore } from './settings.ts';
import { PROFILE_ID_PATTERN, StoredProfileSchema, type StoredProfile } from './settings-schema.ts';

const MAX_ID_STEM = 40;

/** A readable, unique id from a profile name: `Home NAS` → `home-nas`, then `home-nas-2`. */
export function newProfileId(name: string, taken: ReadonlySet<string>): string {
  const stem =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, MAX_ID_STEM) || 'server';
  if (!taken.has(stem)) return stem;
  for (let counter = 2; ; counter += 1) {
    const candidate = `${stem}-${counter}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export interface ProfileStoreDeps {
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly identities: IdentityStore;
}

export class ProfileStore {
  readonly #settings: SettingsStore;
  readonly #secrets: SecretStore;
  readonly #identities: IdentityStore;

  constructor(deps: ProfileStoreDeps) {
    this.#settings = deps.settings;
    this.#secrets = deps.secrets;
    this.#identities = deps.identities;
  }

  #view(profile: StoredProfile): ServerProfile {
    return { ...profile, hasToken: this.#secrets.has(profile.id, 'token') };
  }

  #stored(id: string): StoredProfile {
    const found = this.#settings.profiles().find((profile) => profile.id === id);
    if (!found) throw new SettingsError('unknownProfile', { code: 'unknownProfile', id });
    return found;
  }

  #activeId(): string {
    return this.#settings.settings().activeProfileId;
  }

  list(): ServerProfile[] {
    return this.#settings.profiles().map((profile) => this.#view(profile));
  }

  get(id: string): ServerProfile {
    return this.#view(this.#stored(id));
  }

  active(): ServerProfile {
    return this.get(this.#activeId());
  }

  /**
   * Add or update a profile (the window's `profiles:save`). An unknown or empty id adds a
   * profile under a fresh id. A changed endpoint means another server: activation starts over
   * and the old token is dropped. `token`: a string stores it, null deletes it, absent keeps it.
   */
  save(input: ServerProfile | StoredProfile, token?: string | null): ServerProfile {
    const profiles = [...this.#settings.profiles()];
    const index = profiles.findIndex((profile) => profile.id === input.id);
    const previous = profiles[index];
    const taken = new Set(profiles.map((profile) => profile.id));
    const id =
      previous !== undefined
        ? previous.id
        : PROFILE_ID_PATTERN.test(input.id) && !taken.has(input.id)
          ? input.id
          : newProfileId(input.name, taken);
    const endpointChanged =
      previous !== undefined &&
      (previous.endpoint.kind !== input.endpoint.kind ||
        previous.endpoint.url !== input.endpoint.url);
    const checked = StoredProfileSchema.safeParse({
      id,
      name: input.name.trim(),
      endpoint: { kind: input.endpoint.kind, url: input.endpoint.url.trim() },
      dialect: input.dialect,
      appHeartbeat: input.appHeartbeat,
      caFile: input.caFile,
      // Stored only when on, so the files of everyone who never needs it stay as they were.
      ...(input.allowInsecureWebSocket === true ? { allowInsecureWebSocket: true } : {}),
      ...(input.transport && input.transport !== 'auto' ? { transport: input.transport } : {}),
      activation: previous === undefined || endpointChanged ? 'none' : previous.activation,
    });
    if (!checked.success) {
      const detail = checked.error.issues
        .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
        .join('; ');
      throw new SettingsError('invalid', { code: 'invalidProfile', detail });
    }
    if (index >= 0) profiles[index] = checked.data;
    else profiles.push(checked.data);
    this.#settings.writeProfiles(profiles, this.#activeId());
    if (endpointChanged && token === undefined) this.#secrets.delete(id, 'token');
    // Another server: the broker and credentials of the old one's OTA mean nothing to it.
    if (endpointChanged) this.#secrets.delete(id, 'mqtt');
    if (typeof token === 'string') this.#secrets.set(id, 'token', token);
    else if (token === null) this.#secrets.delete(id, 'token');
    return this.get(id);
  }

  /** Make a profile the active one. */
  activate(id: string): void {
    this.#stored(id);
    this.#settings.update({ activeProfileId: id });
  }

  /**
   * Remove a profile with its identity and secrets (its history is the history store's to
   * delete). The last profile cannot be removed; removing the active one activates the first.
   */
  remove(id: string): void {
    this.#stored(id);
    const remaining = this.#settings.profiles().filter((profile) => profile.id !== id);
    const first = remaining[0];
    if (!first) throw new SettingsError('invalid', { code: 'lastProfile' });
    const active = this.#activeId() === id ? first.id : this.#activeId();
    this.#settings.writeProfiles(remaining, active);
    this.#identities.remove(id);
    this.#secrets.delete(id);
  }

  setActivation(id: string, activation: StoredProfile['activation']): ServerProfile {
    const profiles = this.#settings
      .profiles()
      .map((profile) => (profile.id === id ? { ...profile, activation } : profile));
    this.#stored(id);
    this.#settings.writeProfiles(profiles, this.#activeId());
    return this.get(id);
  }

  /** The profile's token, for the connection in main only. */
  token(id: string): string | null {
    return this.#secrets.get(id, 'token');
  }

  /** Store the token OTA handed out (an empty token from the server deletes the stored one). */
  setToken(id: string, token: string | null): SecretWrite | null {
    this.#stored(id);
    if (token === null || token === '') {
      this.#secrets.delete(id, 'token');
      return null;
    }
    return this.#secrets.set(id, 'token', token);
  }

  /** The OTA's MQTT answer kept for the next start (mqtt-credentials.ts), for main only. */
  mqttCredentials(id: string): StoredMqtt | null {
    return loadMqttCredentials(this.#secrets, id);
  }

  /** Keep the OTA's MQTT answer, or forget it (null: the answer had none). */
  setMqttCredentials(id: string, stored: StoredMqtt | null): SecretWrite | null {
    this.#stored(id);
    return saveMqttCredentials(this.#secrets, id, stored);
  }
}
