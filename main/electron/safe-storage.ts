/**
 * Electron's `safeStorage` adapted to the core's SecretCipher. The policy (what to do with the
 * plaintext `basic_text` backend on Linux) lives in the core's secret store; this only reports
 * the backend honestly and converts bytes.
 */
import type { SecretCipher } from '../core/store/secrets.ts';

/** The part of Electron's `safeStorage` the adapter uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend(): string;
}

/**
 * The keystore behind `safeStorage` on each platform. Electron reports a backend only on
 * Linux (`gnome_libsecret`, `kwallet5`, `basic_text`, …); macOS always uses the Keychain and
 * Windows DPAPI.
 */
export function storageBackend(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return safeStorage.getSelectedStorageBackend();
    case 'darwin':
      return 'keychain';
    case 'win32':
      return 'dpapi';
    default:
      return 'unknown';
  }
}

/**
 * A SecretCipher over `safeStorage`. Create it after the app's `ready` event: before that, on
 * Linux, `isEncryptionAvailable()` is false and the backend not yet chosen.
 */
export function createSafeStorageCipher(
  safeStorage: SafeStorageLike,
  platform: NodeJS.Platform,
): SecretCipher {
  return {
    isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
    backend: () => storageBackend(safeStorage, platform),
    encrypt: (plain) => new Uint8Array(safeStorage.encryptString(plain)),
    decrypt: (data) => safeStorage.decryptString(Buffer.from(data)),
  };
}
