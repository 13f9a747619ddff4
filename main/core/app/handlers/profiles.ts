/**
 * The `profiles:*` channels, plus the two that are about a profile's secrets and reachability
 * (`secrets:allowStoring`, `doctor:run`). Changing the active profile, or the active profile's
 * settings, switches the session.
 */
import type { AppEvent } from '../../../../shared/ipc.ts';
import type { HistoryStore } from '../../store/history.ts';
import type { IdentityStore } from '../../store/identity.ts';
import type { ProfileStore } from '../../store/profiles.ts';
import {
  exportProfiles,
  importProfiles,
  writeSecretsExport,
} from '../../store/profile-transfer.ts';
import type { SecretStore } from '../../store/secrets.ts';
import type { Clock } from '../../util/clock.ts';
import { reported, type AreaHandlers } from '../handlers.ts';
import type { SecretsConsent } from '../secrets-consent.ts';
import type { SessionHost } from '../session-host.ts';

export interface ProfileHandlersDeps {
  readonly profiles: ProfileStore;
  readonly identities: IdentityStore;
  readonly secrets: SecretStore;
  readonly secretsConsent: SecretsConsent;
  readonly history: HistoryStore;
  readonly host: SessionHost;
  readonly appVersion: string;
  readonly clock: Clock;
  readonly emit: (event: AppEvent) => void;
  /** Where an export with secrets goes (a save dialog); null when the user cancels. */
  readonly chooseExportFile: (suggestedName: string) => Promise<string | null>;
}

/** The file name a save dialog suggests for an export with secrets. */
export const SECRETS_EXPORT_NAME = 'lumi-servers-with-secrets.json';

export function profileHandlers(
  deps: ProfileHandlersDeps,
): AreaHandlers<'profiles' | 'secrets' | 'doctor'> {
  const { profiles, identities, secrets, history, host, clock } = deps;
  const transfer = { profiles, identities, secrets };
  const announce = (): void => deps.emit({ type: 'profilesChanged', profiles: profiles.list() });
  return {
    'profiles:list': () => profiles.list(),
    'profiles:save': async ({ profile, token }) => {
      const saved = reported(() => profiles.save(profile, token));
      if (token) deps.secretsConsent.afterSecretWrite();
      if (saved.id === host.profile?.id) await host.switchProfile();
      else announce();
      return saved;
    },
    'profiles:activate': async ({ id }) => {
      reported(() => profiles.activate(id));
      await host.switchProfile();
    },
    'profiles:remove': async ({ id }) => {
      const wasActive = host.profile?.id === id;
      reported(() => profiles.remove(id));
      history.deleteProfile(id);
      if (wasActive) await host.switchProfile();
      else announce();
    },
    'profiles:export': () => exportProfiles(transfer, { now: clock.now() }),
    'profiles:exportSecrets': async () => {
      const path = await deps.chooseExportFile(SECRETS_EXPORT_NAME);
      if (path === null) return { saved: false };
      reported(() => writeSecretsExport(transfer, path, clock.now()));
      return { saved: true, path };
    },
    'profiles:import': async ({ json }) => {
      reported(() => importProfiles(transfer, json));
      announce();
      return profiles.list();
    },
    'secrets:allowStoring': () => {
      secrets.consent();
    },
    'doctor:run': async () => {
      // Loaded when asked for: its socket probe brings `ws` and Node's https/tls (see active-session.ts).
      const { runDoctor } = await import('../../ota/doctor.ts');
      const profile = profiles.active();
      return runDoctor({
        profile,
        identity: identities.ensure(profile.id),
        token: profiles.token(profile.id),
        appVersion: deps.appVersion,
        clock,
      });
    },
  };
}
