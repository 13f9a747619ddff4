/**
 * The keystore warning: where tokens can only be kept for this session (no real keystore, e.g.
 * Linux's `basic_text`), the window warns once per app run after a token was stored and offers
 * to store tokens anyway.
 */
import type { AppEvent, SecretsConsentReason } from '../../../shared/ipc.ts';
import type { SecretStore } from '../store/secrets.ts';

export class SecretsConsent {
  readonly #secrets: SecretStore;
  readonly #emit: (event: AppEvent) => void;
  #asked = false;

  constructor(secrets: SecretStore, emit: (event: AppEvent) => void) {
    this.#secrets = secrets;
    this.#emit = emit;
  }

  /** Why tokens can only live for this session (the window words the warning), else null. */
  reason(): SecretsConsentReason | null {
    const persistence = this.#secrets.persistence();
    return persistence.kind === 'needsConsent' ? persistence.reason : null;
  }

  /** A token was stored: warn (once per app run) if it could only be kept in memory. */
  afterSecretWrite(): void {
    const reason = this.reason();
    if (reason === null || this.#asked) return;
    this.#asked = true;
    this.#emit({ type: 'secretsConsentRequired', reason });
  }
}
