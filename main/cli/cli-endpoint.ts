/**
 * Where the CLI talks to: `--url` (with `--token` or the stored one) or `--ota` (identity → OTA
 * → activation, code printed and polled), resolved by the core's one endpoint resolution; the
 * OTA token and MQTT credentials are kept in the config dir's 0600 secrets file.
 */
import { CaFileError, resolveEndpoint, type SessionEndpoint } from '../core/app/endpoint.ts';
import { EndpointError } from '../core/app/ota-endpoint.ts';
import { ActivationError } from '../core/ota/activation.ts';
import { OtaError } from '../core/ota/ota-client.ts';
import type { IdentityStore } from '../core/store/identity.ts';
import type { SecretStore } from '../core/store/secrets.ts';
import { loadMqttCredentials, saveMqttCredentials } from '../core/store/mqtt-credentials.ts';
import type { TalkOptions } from './args.ts';
import type { Printer } from './output.ts';
import { EXIT_CONNECT, EXIT_TIMEOUT, EXIT_USAGE } from './talk.ts';
import { appVersion } from './version.ts';

export interface EndpointSetup {
  readonly options: TalkOptions;
  readonly deviceId: string;
  readonly clientId: string;
  readonly identities: IdentityStore;
  readonly secrets: SecretStore;
  readonly printer: Printer;
}

export type EndpointOutcome =
  | { readonly ok: true; readonly endpoint: SessionEndpoint }
  | { readonly ok: false; readonly message: string; readonly exitCode: number };

/** Resolve the endpoint the options name; failures become a message and an exit code. */
export async function cliEndpoint(setup: EndpointSetup): Promise<EndpointOutcome> {
  const { options, identities, secrets, printer } = setup;
  if (!options.ota && !options.url) {
    return { ok: false, message: 'no WebSocket URL.', exitCode: EXIT_CONNECT };
  }
  const stored = identities.ensure(options.profile);
  try {
    const endpoint = await resolveEndpoint(
      options.ota
        ? { kind: 'ota', url: options.ota }
        : {
            kind: 'websocket',
            url: options.url ?? '',
            token: options.token ?? secrets.get(options.profile, 'token'),
          },
      {
        identity: { ...stored, deviceId: setup.deviceId, clientId: setup.clientId },
        deviceKey: () => identities.deviceKey(options.profile),
        appVersion: appVersion(),
        caFile: options.caFile,
        allowInsecureWebSocket: options.allowInsecureWebSocket,
        transport: options.transport,
        signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
        storeToken: (token) => {
          if (token) secrets.set(options.profile, 'token', token);
        },
        mqttCredentials: {
          load: () => loadMqttCredentials(secrets, options.profile),
          save: (stored) => saveMqttCredentials(secrets, options.profile, stored),
          token: () => secrets.get(options.profile, 'token'),
        },
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
      },
    );
    return { ok: true, endpoint };
  } catch (error) {
    return failure(error);
  }
}

function failure(error: unknown): EndpointOutcome & { ok: false } {
  if (error instanceof CaFileError) {
    return { ok: false, message: `--ca-file: ${error.message}`, exitCode: EXIT_USAGE };
  }
  if (error instanceof ActivationError || (error instanceof OtaError && error.kind === 'aborted')) {
    return { ok: false, message: `OTA: ${error.message}`, exitCode: EXIT_TIMEOUT };
  }
  if (error instanceof OtaError || error instanceof EndpointError) {
    return { ok: false, message: `OTA: ${error.message}`, exitCode: EXIT_CONNECT };
  }
  throw error;
}
