import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SECRETS_FILE,
  SecretStore,
  createCliSecretStore,
  decidePersistence,
} from '../../../main/core/store/secrets.ts';
import { fakeSafeStorage } from './fake-safe-storage.ts';

const TOKEN = 'Zk3nP0q9wXv8s7T6u5R4e3W2q1A0b9C8d7E6f5G4h3I.1745249872';
const onPosix = process.platform !== 'win32';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const fileText = () => readFileSync(join(dir, SECRETS_FILE), 'utf8');
const fileMode = () => statSync(join(dir, SECRETS_FILE)).mode & 0o777;

describe('decidePersistence', () => {
  it('encrypts when the keystore really encrypts', () => {
    expect(decidePersistence(fakeSafeStorage('kwallet5'), [], false)).toEqual({
      kind: 'encrypted',
      backend: 'kwallet5',
    });
  });

  it('asks before using the basic_text backend, and obfuscates only after consent', () => {
    const cipher = fakeSafeStorage('basic_text');
    expect(decidePersistence(cipher, [], false)).toMatchObject({
      kind: 'needsConsent',
      reason: 'plaintextBackend',
    });
    expect(decidePersistence(cipher, ['plaintextBackend'], false)).toEqual({
      kind: 'obfuscated',
      backend: 'basic_text',
    });
  });

  it('refuses to persist without a keystore unless consented or the CLI allows a 0600 file', () => {
    const unavailable = fakeSafeStorage();
    unavailable.available = false;
    expect(decidePersistence(null, [], false)).toMatchObject({ kind: 'needsConsent' });
    expect(decidePersistence(unavailable, [], false)).toMatchObject({
      reason: 'noEncryption',
    });
    expect(decidePersistence(null, ['noEncryption'], false)).toEqual({ kind: 'plaintext' });
    expect(decidePersistence(null, [], true)).toEqual({ kind: 'plaintext' });
  });
});

describe('SecretStore', () => {
  it('round-trips a token through the cipher and never writes it in clear', () => {
    const cipher = fakeSafeStorage();
    const store = new SecretStore({ dir, cipher });
    expect(store.set('home', 'token', TOKEN)).toEqual({
      persisted: true,
      persistence: { kind: 'encrypted', backend: 'gnome_libsecret' },
    });
    expect(fileText()).not.toContain(TOKEN);
    expect(fileText()).not.toContain(TOKEN.slice(0, 12));

    const reopened = new SecretStore({ dir, cipher });
    expect(reopened.get('home', 'token')).toBe(TOKEN);
    expect(reopened.has('home', 'deviceKey')).toBe(false);
  });

  it('keeps secrets in memory only on basic_text until the user consents', () => {
    const cipher = fakeSafeStorage('basic_text');
    const store = new SecretStore({ dir, cipher });
    const write = store.set('home', 'token', TOKEN);
    expect(write.persisted).toBe(false);
    expect(write.persistence.kind).toBe('needsConsent');
    expect(store.get('home', 'token')).toBe(TOKEN);
    expect(existsSync(join(dir, SECRETS_FILE))).toBe(false);
    expect(new SecretStore({ dir, cipher }).get('home', 'token')).toBeNull();

    expect(store.consent()).toEqual({ kind: 'obfuscated', backend: 'basic_text' });
    expect(fileText()).not.toContain(TOKEN);
    const reopened = new SecretStore({ dir, cipher });
    expect(reopened.get('home', 'token')).toBe(TOKEN);
    expect(reopened.persistence().kind).toBe('obfuscated');
  });

  it('without any cipher persists nothing until consent, then a 0600 plaintext file', () => {
    const store = new SecretStore({ dir, cipher: null });
    expect(store.set('home', 'token', TOKEN).persisted).toBe(false);
    expect(existsSync(join(dir, SECRETS_FILE))).toBe(false);
    expect(store.consent()).toEqual({ kind: 'plaintext' });
    expect(new SecretStore({ dir, cipher: null }).get('home', 'token')).toBe(TOKEN);
    if (onPosix) expect(fileMode()).toBe(0o600);
  });

  it('names a keystore that changed instead of failing silently', () => {
    new SecretStore({ dir, cipher: fakeSafeStorage('kwallet5') }).set('home', 'token', TOKEN);
    const other = new SecretStore({ dir, cipher: fakeSafeStorage('gnome_libsecret') });
    expect(other.get('home', 'token')).toBeNull();
    expect(other.problems()).toEqual([
      {
        code: 'secretUnreadable',
        secret: 'token',
        profile: 'home',
        savedWith: 'kwallet5',
        now: 'gnome_libsecret',
        detail: expect.any(String) as string,
      },
    ]);
  });

  it('encrypts plaintext entries once a keystore appears', () => {
    createCliSecretStore(dir).set('home', 'token', TOKEN);
    expect(fileText()).toContain(TOKEN);
    const cipher = fakeSafeStorage();
    const store = new SecretStore({ dir, cipher });
    expect(fileText()).not.toContain(TOKEN);
    expect(store.get('home', 'token')).toBe(TOKEN);
  });

  it('deletes one secret or all of a profile', () => {
    const store = createCliSecretStore(dir);
    store.set('a', 'token', 't-a');
    store.set('a', 'deviceKey', randomBytes(32).toString('hex'));
    store.set('b', 'token', 't-b');
    store.delete('a', 'token');
    expect(store.get('a', 'token')).toBeNull();
    expect(store.has('a', 'deviceKey')).toBe(true);
    store.delete('a');
    const reopened = createCliSecretStore(dir);
    expect(reopened.has('a', 'deviceKey')).toBe(false);
    expect(reopened.get('b', 'token')).toBe('t-b');
    expect(fileText()).not.toContain('"a"');
  });

  it('does not reveal secrets when serialised', () => {
    const store = createCliSecretStore(dir);
    store.set('a', 'token', TOKEN);
    expect(JSON.stringify({ store })).not.toContain(TOKEN);
  });
});

describe.runIf(onPosix)('CLI secrets file mode', () => {
  it('is created 0600 in a 0700 folder', () => {
    const configDir = join(dir, 'lumi-cli');
    createCliSecretStore(configDir).set('home', 'token', TOKEN);
    expect(statSync(join(configDir, SECRETS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
  });

  it('is narrowed back to 0600 when found wider', () => {
    createCliSecretStore(dir).set('home', 'token', TOKEN);
    chmodSync(join(dir, SECRETS_FILE), 0o644);
    expect(createCliSecretStore(dir).get('home', 'token')).toBe(TOKEN);
    expect(fileMode()).toBe(0o600);
  });

  it('stays 0600 after every write even under a permissive umask', () => {
    const previous = process.umask(0);
    try {
      const store = createCliSecretStore(dir);
      store.set('home', 'token', TOKEN);
      store.set('home', 'token', `${TOKEN}2`);
    } finally {
      process.umask(previous);
    }
    expect(fileMode()).toBe(0o600);
  });
});

describe('a corrupt secrets file', () => {
  it('is moved aside, not overwritten', () => {
    const path = join(dir, SECRETS_FILE);
    const damaged = '{"version":1,"entries":{"home":{"tok';
    writeFileSync(path, damaged, { mode: 0o600 });
    const store = createCliSecretStore(dir);
    expect(store.recovery).toMatchObject({ recovered: true, reason: 'corruptJson' });
    if (!store.recovery.recovered) return;
    expect(store.recovery.movedTo).toMatch(/secrets\.corrupt-.*\.json$/);
    expect(readFileSync(store.recovery.movedTo, 'utf8')).toBe(damaged);
    expect(existsSync(path)).toBe(false);
  });
});
