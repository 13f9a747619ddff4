/** `--ota`: identity → OTA → activation (code printed, polled) → WebSocket URL and token. */
import { EndpointError, resolveViaOta } from '../core/app/ota-endpoint.ts';
import { ActivationError } from '../core/ota/activation.ts';
import { OtaError } from '../core/ota/ota-client.ts';
import type { IdentityStore } from '../core/store/identity.ts';
import type { SecretStore } from '../core/store/secrets.ts';
import type { TalkOptions } from './args.ts';
import type { Printer } from './output.ts';
import { EXIT_CONNECT, EXIT_TIMEOUT } from './talk.ts';
import { appVersion } from './version.ts';

export interface OtaSetup {
  readonly options: TalkOptions;
  readonly deviceId: string;
  readonly clientId: string;
  readonly identities: IdentityStore;
  readonly secrets: SecretStore;
  readonly printer: Printer;
}

export type OtaOutcome =
  | {
      readonly ok: true;
      readonly url: string;
      readonly token: string | null;
      readonly refresh: () => Promise<string | null>;
    }
  | { readonly ok: false; readonly message: string; readonly exitCode: number };

/** Run the OTA flow; the token is stored in the config dir's 0600 secrets file. */
export async function runOta(setup: OtaSetup): Promise<OtaOutcome> {
  const { options, identities, secrets, printer } = setup;
  const otaUrl = options.ota;
  if (!otaUrl) return { ok: false, message: 'no --ota URL', exitCode: EXIT_CONNECT };
  const stored = identities.ensure(options.profile);
  const identity = { ...stored, deviceId: setup.deviceId, clientId: setup.clientId };
  const signal = AbortSignal.timeout(options.timeoutSeconds * 1000);
  const resolve = () =>
    resolveViaOta({
      otaUrl,
      identity,
      deviceKey: () => identities.deviceKey(options.profile),
      appVersion: appVersion(),
      signal,
      onActivationRequired: (prompt) => {
        printer.event({
          event: 'activation',
          code: prompt.code,
          console: prompt.consoleUrl,
          message: prompt.message,
        });
        printer.info(
          `Activation code: ${prompt.code} — enter it at ${prompt.consoleUrl ?? 'the server console'}. Waiting…`,
        );
      },
      onActivated: () => printer.event({ event: 'activated' }),
    });
  try {
    const endpoint = await resolve();
    if (endpoint.token) secrets.set(options.profile, 'token', endpoint.token);
    return {
      ok: true,
      url: endpoint.url,
      token: endpoint.token,
      refresh: async () => {
        const again = await resolve();
        if (again.token) secrets.set(options.profile, 'token', again.token);
        return again.token;
      },
    };
  } catch (error) {
    if (
      error instanceof ActivationError ||
      (error instanceof OtaError && error.kind === 'aborted')
    ) {
      return { ok: false, message: `OTA: ${error.message}`, exitCode: EXIT_TIMEOUT };
    }
    if (error instanceof OtaError || error instanceof EndpointError) {
      return { ok: false, message: `OTA: ${error.message}`, exitCode: EXIT_CONNECT };
    }
    throw error;
  }
}
