/**
 * From an OTA URL to a session endpoint, the firmware's way (docs/protocol.md §7): ask the OTA
 * endpoint, show and wait out the activation when the device is not bound yet, ask again, and
 * use the answer's `mqtt` section or its `websocket` url and token, as the transport setting says
 * (`auto` follows the firmware: MQTT when offered, §7.2). The same path refreshes rejected
 * credentials.
 */
import { ProblemError } from '../../../shared/problem-english.ts';
import type { ActivationPrompt } from '../ota/activation.ts';
import { activationPrompt, waitForActivation } from '../ota/activation.ts';
import { requestOta, type OtaResult } from '../ota/ota-client.ts';
import { withOtaRetries } from '../ota/retry.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import type { BackoffOptions } from '../connection/backoff.ts';
import type { Clock } from '../util/clock.ts';
import type { ProfileTransport } from '../../../shared/settings.ts';
import type { MqttEndpoint } from '../ota/mqtt-section.ts';

/** After this many OTA rounds that still ask for activation, stop (the firmware's loop, bounded). */
const MAX_ACTIVATION_ROUNDS = 3;

export interface OtaEndpointOptions {
  readonly otaUrl: string;
  readonly identity: DeviceIdentity;
  readonly deviceKey: () => string;
  readonly appVersion: string;
  readonly language?: string;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  readonly activationTimeoutMs?: number;
  readonly activationPollMs?: number;
  /** The device must be bound: show the code (and where to enter it). */
  readonly onActivationRequired?: (prompt: ActivationPrompt) => void;
  readonly onActivated?: () => void;
  /** Backoff of OTA retries on transient failures (default: OTA_BACKOFF). */
  readonly backoff?: BackoffOptions;
  /**
   * Accept a `ws://` address from an `https://` OTA (the profile's setting, the CLI's
   * `--allow-insecure-ws`). Off by default: the token would travel in clear.
   */
  readonly allowInsecureWebSocket?: boolean;
  /** Default `auto`. */
  readonly transport?: ProfileTransport;
}

/** The WebSocket side of an OTA answer. */
export interface WebSocketEndpoint {
  readonly url: string;
  readonly token: string | null;
  readonly protocolVersion: 1 | 2 | 3;
}

export type ResolvedEndpoint =
  | ({ readonly transport: 'websocket' } & WebSocketEndpoint)
  | {
      readonly transport: 'mqtt';
      readonly mqtt: MqttEndpoint;
      /** The answer's WebSocket too (auto falls back to it when UDP cannot get through). */
      readonly websocket: WebSocketEndpoint | null;
    };

/** The OTA answer cannot give an endpoint (only MQTT, no WebSocket, activation never ends). */
export class EndpointError extends ProblemError {}

/** Resolve the WebSocket endpoint through OTA, activating the device when asked. */
export async function resolveViaOta(options: OtaEndpointOptions): Promise<ResolvedEndpoint> {
  for (let round = 1; ; round += 1) {
    const answer = await askOta(options);
    if (answer.activation) {
      if (round > MAX_ACTIVATION_ROUNDS) {
        throw new EndpointError({ code: 'activationRepeated' });
      }
      options.onActivationRequired?.(activationPrompt(answer.activation));
      await waitForActivation({
        otaUrl: options.otaUrl,
        identity: options.identity,
        deviceKey: options.deviceKey(),
        appVersion: options.appVersion,
        challenge: answer.activation.challenge,
        ...(options.language ? { language: options.language } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.activationTimeoutMs ? { timeoutMs: options.activationTimeoutMs } : {}),
        ...(options.activationPollMs ? { pollIntervalMs: options.activationPollMs } : {}),
      });
      options.onActivated?.();
      continue;
    }
    return chooseTransport(answer, options);
  }
}

function chooseTransport(answer: OtaResult, options: OtaEndpointOptions): ResolvedEndpoint {
  const choice = options.transport ?? 'auto';
  const websocket = answer.websocket ? checkedWebSocket(answer.websocket, options) : null;
  if (answer.mqtt && choice !== 'websocket') {
    return { transport: 'mqtt', mqtt: answer.mqtt, websocket };
  }
  if (choice === 'mqtt') throw new EndpointError({ code: 'otaNoMqtt' });
  if (!websocket) {
    throw new EndpointError({ code: answer.mqtt ? 'otaMqttOnly' : 'otaNoWebSocket' });
  }
  return { transport: 'websocket', ...websocket };
}

function checkedWebSocket(
  websocket: NonNullable<OtaResult['websocket']>,
  options: OtaEndpointOptions,
): WebSocketEndpoint {
  if (downgradesToClear(options.otaUrl, websocket.url) && !options.allowInsecureWebSocket) {
    throw new EndpointError({ code: 'otaInsecureWebSocket', url: websocket.url });
  }
  return websocket;
}

/**
 * An OTA asked over https that hands out a `ws://` address: whoever can read the network then
 * reads the token the same answer carried. An http OTA is in clear already, so its `ws://`
 * loses nothing more.
 */
function downgradesToClear(otaUrl: string, webSocketUrl: string): boolean {
  return /^https:/i.test(otaUrl) && /^ws:/i.test(webSocketUrl);
}

function askOta(options: OtaEndpointOptions): Promise<OtaResult> {
  return withOtaRetries(
    () =>
      requestOta({
        url: options.otaUrl,
        identity: options.identity,
        appVersion: options.appVersion,
        ...(options.language ? { language: options.language } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    },
  );
}
