import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretStore } from '../../../main/core/store/secrets.ts';
import {
  createSafeStorageCipher,
  type SafeStorageLike,
} from '../../../main/electron/safe-storage.ts';

/**
 * safeStorage's surface with real AES-GCM underneath (Electron's own uses the OS keystore),
 * so a value that was not encrypted cannot pass as decrypted.
 */
class FakeSafeStorage implements SafeStorageLike {
  readonly #key = randomBytes(32);
  available = true;
  backend = 'gnome_libsecret';
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
  encryptString(plainText: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }
  decryptString(encrypted: Buffer): string {
    if (!Buffer.isBuffer(encrypted)) throw new TypeError('safeStorage wants a Buffer');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, encrypted.subarray(0, 12));
    decipher.setAuthTag(encrypted.subarray(12, 28));
    return Buffer.concat([decipher.update(encrypted.subarray(28)), decipher.final()]).toString(
      'utf8',
    );
  }
}

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('createSafeStorageCipher', () => {
  it('round-trips through safeStorage, handing it a Buffer even from a plain Uint8Array', () => {
    const cipher = createSafeStorageCipher(new FakeSafeStorage(), 'linux');
    const sealed = cipher.encrypt('token-密钥');
    expect(Buffer.from(sealed).toString('utf8')).not.toContain('token');
    expect(cipher.decrypt(new Uint8Array(sealed))).toBe('token-密钥');
  });

  it('reports the Linux backend as Electron chose it, and the fixed keystores elsewhere', () => {
    const storage = new FakeSafeStorage();
    storage.backend = 'basic_text';
    expect(createSafeStorageCipher(storage, 'linux').backend()).toBe('basic_text');
    expect(createSafeStorageCipher(storage, 'darwin').backend()).toBe('keychain');
    expect(createSafeStorageCipher(storage, 'win32').backend()).toBe('dpapi');
  });

  it('follows availability live (it changes at app ready on Linux)', () => {
    const storage = new FakeSafeStorage();
    const cipher = createSafeStorageCipher(storage, 'linux');
    storage.available = false;
    expect(cipher.isEncryptionAvailable()).toBe(false);
    storage.available = true;
    expect(cipher.isEncryptionAvailable()).toBe(true);
  });

  it('lets the core secret store keep a token encrypted on disk and read it back', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lumi-secrets-'));
    const storage = new FakeSafeStorage();
    const store = new SecretStore({ dir, cipher: createSafeStorageCipher(storage, 'linux') });
    expect(store.set('home', 'token', 'sk-live-123').persisted).toBe(true);
    const onDisk = await readFile(path.join(dir, 'secrets.json'), 'utf8');
    expect(onDisk).not.toContain('sk-live-123');
    const reopened = new SecretStore({ dir, cipher: createSafeStorageCipher(storage, 'linux') });
    expect(reopened.get('home', 'token')).toBe('sk-live-123');
  });
});
