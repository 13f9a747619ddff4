/**
 * The one allowed fake: Electron's safeStorage, which cannot run here. It really encrypts
 * (AES-256-GCM under a key of its own), so a test can tell ciphertext on disk from plaintext and
 * a "different keystore" (another key) fails to decrypt the way a changed backend would.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../../main/core/store/secrets.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface FakeSafeStorage extends SecretCipher {
  available: boolean;
  backendName: string;
}

export function fakeSafeStorage(backendName = 'gnome_libsecret', key = randomBytes(32)) {
  const storage: FakeSafeStorage = {
    available: true,
    backendName,
    isEncryptionAvailable: () => storage.available,
    backend: () => storage.backendName,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decrypt(data) {
      const bytes = Buffer.from(data);
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      const body = bytes.subarray(IV_BYTES + TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    },
  };
  return storage;
}
