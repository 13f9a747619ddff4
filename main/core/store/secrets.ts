/**
 * Tokens, device keys and MQTT credentials, per profile, kept only in the main process. Policy:
 * encrypt through the OS keystore when it really encrypts; on Linux's `basic_text` backend
 * (a hard-coded password, i.e. plaintext underneath) or with no keystore at all, keep secrets
 * in memory for the session and persist them only after the user explicitly agreed. The CLI
 * instead keeps a 0600 file in its own config folder, as `gh` and `~/.netrc` do.
 *
 * Nothing here is ever handed to the renderer; profiles only say `hasToken`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameProblem, type Problem } from '../../../shared/problems.ts';
import type { SecretsConsentReason } from '../../../shared/ipc.ts';
import * as z from '../util/zod.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import {
  moveAside,
  NOT_RECOVERED,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
  tightenMode,
  writeFileAtomic,
  type Recovery,
} from './safe-file.ts';

/** What the Electron main adapts `safeStorage` to; the core never imports electron. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  /** Electron's `getSelectedStorageBackend()` on Linux (`basic_text`, `gnome_libsecret`, …). */
  backend(): string;
  encrypt(plain: string): Uint8Array;
  decrypt(data: Uint8Array): string;
}

/** `mqtt`: the OTA's MQTT credentials (store/mqtt-credentials.ts), kept like the token. */
export type SecretKind = 'token' | 'deviceKey' | 'mqtt';
const SECRET_KINDS = ['token', 'deviceKey', 'mqtt'] as const satisfies readonly SecretKind[];

/**
 * Why persisting needs the user's yes: the keystore is plaintext underneath, or absent. The
 * window words the warning for each reason (`secrets.<reason>`).
 */
export type ConsentReason = SecretsConsentReason;

/** How secrets are kept right now. */
export type SecretPersistence =
  | { readonly kind: 'encrypted'; readonly backend: string }
  /** `basic_text` after consent: encrypted with a password that is public. */
  | { readonly kind: 'obfuscated'; readonly backend: string }
  /** A 0600 JSON file: the CLI, or the app after consent without any keystore. */
  | { readonly kind: 'plaintext' }
  | { readonly kind: 'needsConsent'; readonly reason: ConsentReason };

export interface SecretWrite {
  readonly persisted: boolean;
  readonly persistence: SecretPersistence;
}

export const SECRETS_FILE = 'secrets.json';
/** The one backend Electron reports that does not really encrypt (see its `safeStorage` docs). */
export const PLAINTEXT_BACKEND = 'basic_text';

/** Decide how secrets may be kept, given the keystore and what the user has agreed to. */
export function decidePersistence(
  cipher: SecretCipher | null,
  consents: readonly ConsentReason[],
  plaintextAllowed: boolean,
): SecretPersistence {
  if (cipher !== null && cipher.isEncryptionAvailable()) {
    const backend = cipher.backend();
    if (backend !== PLAINTEXT_BACKEND) return { kind: 'encrypted', backend };
    return consents.includes('plaintextBackend')
      ? { kind: 'obfuscated', backend }
      : { kind: 'needsConsent', reason: 'plaintextBackend' };
  }
  if (plaintextAllowed || consents.includes('noEncryption')) return { kind: 'plaintext' };
  return { kind: 'needsConsent', reason: 'noEncryption' };
}

const EntrySchema = z.object({ enc: z.enum(['cipher', 'plain']), data: z.string() });
const SecretsFileSchema = z.object({
  version: z.literal(1),
  /** The keystore backend the `cipher` entries were written with (to explain a changed one). */
  backend: z.nullable(z.string()),
  consents: z.array(z.enum(['plaintextBackend', 'noEncryption'])),
  entries: z.record(z.string(), z.partialRecord(z.enum(SECRET_KINDS), EntrySchema)),
});
type SecretsFile = z.infer<typeof SecretsFileSchema>;
type Entry = z.infer<typeof EntrySchema>;

export interface SecretStoreOptions {
  /** Folder of `secrets.json` (the app's user-data folder or the CLI's config folder). */
  readonly dir: string;
  readonly cipher: SecretCipher | null;
  /** The front end's policy allows a 0600 plaintext file without asking (the CLI). */
  readonly plaintextAllowed?: boolean;
  readonly clock?: Clock;
}

const memoryKey = (profileId: string, kind: SecretKind) => `${profileId}\u0000${kind}`;

/** Per-profile secrets with the persistence policy above. */
export class SecretStore {
  readonly #path: string;
  readonly #cipher: SecretCipher | null;
  readonly #plaintextAllowed: boolean;
  readonly #values = new Map<string, string>();
  /** Unreadable secrets, described once each. */
  readonly #problems: Problem[] = [];
  #file: SecretsFile;
  /** Set when the file was damaged and moved aside at open. */
  readonly recovery: Recovery;

  constructor(options: SecretStoreOptions) {
    this.#path = join(options.dir, SECRETS_FILE);
    this.#cipher = options.cipher;
    this.#plaintextAllowed = options.plaintextAllowed ?? false;
    const loaded = this.#load(options.clock ?? systemClock);
    this.#file = loaded.file;
    this.recovery = loaded.recovery;
    this.#upgradePlainEntries();
  }

  #load(clock: Clock): { file: SecretsFile; recovery: Recovery } {
    const empty: SecretsFile = { version: 1, backend: null, consents: [], entries: {} };
    if (!existsSync(this.#path)) return { file: empty, recovery: NOT_RECOVERED };
    this.#tightenMode();
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.#path, 'utf8'));
    } catch (error) {
      const movedTo = moveAside(this.#path, clock.now());
      return {
        file: empty,
        recovery: { recovered: true, movedTo, reason: 'corruptJson', detail: String(error) },
      };
    }
    const result = SecretsFileSchema.safeParse(parsed);
    if (result.success) return { file: result.data, recovery: NOT_RECOVERED };
    const movedTo = moveAside(this.#path, clock.now());
    const detail = result.error.issues.map((issue) => issue.message).join('; ');
    return { file: empty, recovery: { recovered: true, movedTo, reason: 'schemaInvalid', detail } };
  }

  /** A secrets file readable by others is narrowed back to its owner (a copy, a restore, a umask). */
  #tightenMode(): void {
    tightenMode(this.#path, PRIVATE_FILE_MODE);
  }

  /** Plaintext entries left from a time without a keystore are encrypted once one is there. */
  #upgradePlainEntries(): void {
    const persistence = this.persistence();
    if (persistence.kind !== 'encrypted') return;
    let changed = false;
    const entries: SecretsFile['entries'] = {};
    for (const [profileId, kinds] of Object.entries(this.#file.entries)) {
      const upgraded: Partial<Record<SecretKind, Entry>> = {};
      for (const [kind, entry] of Object.entries(kinds) as [SecretKind, Entry][]) {
        if (entry.enc === 'plain') {
          upgraded[kind] = this.#encode(entry.data, persistence);
          changed = true;
        } else {
          upgraded[kind] = entry;
        }
      }
      entries[profileId] = upgraded;
    }
    if (changed) this.#write({ ...this.#file, backend: persistence.backend, entries });
  }

  #write(file: SecretsFile): void {
    writeFileAtomic(this.#path, `${JSON.stringify(file, null, 2)}\n`, {
      mode: PRIVATE_FILE_MODE,
      dirMode: PRIVATE_DIR_MODE,
    });
    this.#tightenMode();
    this.#file = file;
  }

  #encode(value: string, persistence: SecretPersistence): Entry {
    if ((persistence.kind === 'encrypted' || persistence.kind === 'obfuscated') && this.#cipher) {
      return { enc: 'cipher', data: Buffer.from(this.#cipher.encrypt(value)).toString('base64') };
    }
    return { enc: 'plain', data: value };
  }

  #decode(profileId: string, kind: SecretKind, entry: Entry): string | null {
    if (entry.enc === 'plain') return entry.data;
    const cipher = this.#cipher;
    try {
      if (cipher === null || !cipher.isEncryptionAvailable()) throw new Error('no keystore');
      return cipher.decrypt(Buffer.from(entry.data, 'base64'));
    } catch (error) {
      // Signal's lesson: a keystore that changed (another desktop, a --password-store flag)
      // must be named to the user, not turn into a silent "no token".
      const now = cipher?.isEncryptionAvailable() ? cipher.backend() : 'none';
      const problem: Problem = {
        code: 'secretUnreadable',
        secret: kind,
        profile: profileId,
        savedWith: this.#file.backend ?? 'unknown',
        now,
        detail: String(error),
      };
      if (!this.#problems.some((known) => sameProblem(known, problem))) {
        this.#problems.push(problem);
      }
      return null;
    }
  }

  /** How secrets are kept right now (ask the user when `needsConsent`). */
  persistence(): SecretPersistence {
    return decidePersistence(this.#cipher, this.#file.consents, this.#plaintextAllowed);
  }

  /**
   * The user agreed to store secrets despite the weak keystore: remember that and write the
   * secrets held for this session. Returns the new persistence.
   */
  consent(): SecretPersistence {
    const current = this.persistence();
    if (current.kind !== 'needsConsent') return current;
    const consents = [...this.#file.consents, current.reason];
    this.#file = { ...this.#file, consents };
    const next = this.persistence();
    const entries = { ...this.#file.entries };
    for (const [key, value] of this.#values) {
      const [profileId = '', kind] = key.split('\u0000') as [string, SecretKind];
      entries[profileId] = { ...entries[profileId], [kind]: this.#encode(value, next) };
    }
    this.#write({ ...this.#file, backend: this.#backendName(next), entries });
    return next;
  }

  #backendName(persistence: SecretPersistence): string | null {
    return persistence.kind === 'encrypted' || persistence.kind === 'obfuscated'
      ? persistence.backend
      : this.#file.backend;
  }

  get(profileId: string, kind: SecretKind): string | null {
    const key = memoryKey(profileId, kind);
    const cached = this.#values.get(key);
    if (cached !== undefined) return cached;
    const entry = this.#file.entries[profileId]?.[kind];
    if (!entry) return null;
    const value = this.#decode(profileId, kind, entry);
    if (value !== null) this.#values.set(key, value);
    return value;
  }

  has(profileId: string, kind: SecretKind): boolean {
    return this.get(profileId, kind) !== null;
  }

  /** Keep a secret; it is written to disk only if the policy allows (see `persisted`). */
  set(profileId: string, kind: SecretKind, value: string): SecretWrite {
    this.#values.set(memoryKey(profileId, kind), value);
    const persistence = this.persistence();
    if (persistence.kind === 'needsConsent') return { persisted: false, persistence };
    const entries = {
      ...this.#file.entries,
      [profileId]: { ...this.#file.entries[profileId], [kind]: this.#encode(value, persistence) },
    };
    this.#write({ ...this.#file, backend: this.#backendName(persistence), entries });
    return { persisted: true, persistence };
  }

  /** Forget one secret of a profile, or all of them. */
  delete(profileId: string, kind?: SecretKind): void {
    const kinds: readonly SecretKind[] = kind ? [kind] : SECRET_KINDS;
    for (const each of kinds) this.#values.delete(memoryKey(profileId, each));
    const stored = this.#file.entries[profileId];
    if (!stored) return;
    const remaining = Object.fromEntries(
      Object.entries(stored).filter(([each]) => !kinds.includes(each as SecretKind)),
    );
    const entries = Object.fromEntries(
      Object.entries(this.#file.entries).filter(([id]) => id !== profileId),
    );
    if (Object.keys(remaining).length > 0) entries[profileId] = remaining;
    this.#write({ ...this.#file, entries });
  }

  /** Secrets that could not be decrypted, as problems for the UI. */
  problems(): readonly Problem[] {
    return [...this.#problems];
  }

  /** Guards against a store object slipping into a log line or an IPC payload. */
  toJSON(): string {
    return '[SecretStore]';
  }
}

/** The CLI's store: a 0600 JSON file in its config folder, no keystore, no consent prompt. */
export function createCliSecretStore(configDir: string, clock?: Clock): SecretStore {
  return new SecretStore({
    dir: configDir,
    cipher: null,
    plaintextAllowed: true,
    ...(clock ? { clock } : {}),
  });
}
