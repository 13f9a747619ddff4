/**
 * The keystore warning: where tokens can only be kept for this session (no real keystore, e.g.
 * Linux's `basic_text`), the window warns once per app run after a token was stored and offers
 * to store tokens anyway.
 */
import type { AppEvent } from '../../../shared/ipc.ts';
import type { SecretStore } from '../store/secrets.ts';

export class SecretsConsent {
  readonly #secrets: SecretStore;
  readonly #emit: (event: AppEvent) => void;
  #asked = false;

  constructor(secrets: SecretStore, emit: (event: AppEvent) => void) {
    this.#secrets = secrets;
    this.#emit = emit;
  }

  /** The warning while tokens can only live for this session, else null. */
  message(): string | null {
    const persistence = this.#secrets.persistence();
    return persistence.kind === 'needsConsent' ? persistence.message : null;
  }

  /** A token was stored: warn (once per app run) if it could only be kept in memory. */
  afterSecretWrite(): void {
    const message = this.message();
    if (message === null || this.#asked) return;
    this.#asked = true;
    this.#emit({ type: 'secretsConsentRequired', message });
  }
}
