/**
 * The one way every front end turns "where the server is" into what a connection needs: a
 * WebSocket URL, its token and protocol version, or MQTT credentials (from OTA, or kept from
 * an earlier OTA answer), and the custom CA. Directly from a `ws(s)://`
 * address, or through OTA with activation (ota-endpoint.ts), whose token is kept and refreshed
 * through the same path when the server rejects it. The app core and the CLI both call this.
 */
import { readFileSync } from 'node:fs';
import { ProblemError } from '../../../shared/problem-english.ts';
import { errorDetail } from '../../../shared/problems.ts';
import { otaProblem } from '../ota/ota-problem.ts';
import type { ActivationPrompt } from '../ota/activation.ts';
import type { DeviceIdentity } from '../store/identity.ts';
import type { Clock } from '../util/clock.ts';
import type { MqttEndpoint } from '../ota/mqtt-section.ts';
import type { ProfileTransport } from '../../../shared/settings.ts';
import type { StoredMqtt } from '../store/mqtt-credentials.ts';
import { resolveViaOta, type ResolvedEndpoint } from './ota-endpoint.ts';

export type EndpointSource =
  | { readonly kind: 'websocket'; readonly url: string; readonly token: string | null }
  | { readonly kind: 'ota'; readonly url: string };

export interface EndpointDeps {
  readonly identity: DeviceIdentity;
  readonly deviceKey: () => string;
  readonly appVersion: string;
  /** A PEM file of the CA that signed a self-hosted server's certificate. */
  readonly caFile: string | null;
  /** OTA handed out a token (or none): keep it with the profile's secrets. */
  readonly storeToken: (token: string | null) => void;
  readonly onActivationRequired?: (prompt: ActivationPrompt) => void;
  readonly onActivated?: () => void;
  readonly clock?: Clock;
  readonly signal?: AbortSignal;
  /** Accept a `ws://` address from an `https://` OTA (see OtaEndpointOptions). */
  readonly allowInsecureWebSocket?: boolean;
  /** The profile's transport setting (OTA profiles; a `ws(s)://` address is a WebSocket). */
  readonly transport?: ProfileTransport;
  /** The OTA's MQTT answer kept with the profile's secrets (OTA profiles). */
  readonly mqttCredentials?: MqttCredentialStore;
}

/**
 * Where a profile keeps its OTA's MQTT answer (store/mqtt-credentials.ts). A stored answer spares
 * the next start its OTA round; every OTA answer replaces it.
 */
export interface MqttCredentialStore {
  readonly load: () => StoredMqtt | null;
  /** null: the answer offered no MQTT. */
  readonly save: (stored: StoredMqtt | null) => void;
  /** The stored WebSocket token, for the stored answer's fallback. */
  readonly token: () => string | null;
}

/** The profile's CA file cannot be read. */
export class CaFileError extends ProblemError {}

export interface SessionEndpoint {
  /** The WebSocket address; for an answer with only MQTT, the broker's `mqtt(s)://` address. */
  readonly url: string;
  readonly token: string | null;
  readonly protocolVersion: 1 | 2 | 3;
  readonly ca: string | null;
  /** Ask OTA for a new token after the server rejected this one (OTA profiles only). */
  readonly refreshToken?: () => Promise<string | null>;
  /** MQTT + UDP from OTA: when set, sessions go over it (`url` and `token` are then the fallback). */
  readonly mqtt: MqttEndpoint | null;
  /** Ask OTA for new MQTT credentials after the broker refused these. */
  readonly refreshMqtt?: () => Promise<MqttEndpoint | null>;
  /**
   * The transport is `auto` and the OTA answer offered a WebSocket too: when MQTT or UDP fails,
   * the session falls back to it (`url`, `token`).
   */
  readonly webSocketFallback: boolean;
}

/** Resolve `source` to a session endpoint; throws CaFileError, EndpointError, OtaError or ActivationError. */
export async function resolveEndpoint(
  source: EndpointSource,
  deps: EndpointDeps,
): Promise<SessionEndpoint> {
  const ca = readCa(deps.caFile);
  if (source.kind === 'websocket') {
    return {
      url: source.url,
      token: source.token,
      protocolVersion: 1,
      ca,
      mqtt: null,
      webSocketFallback: false,
    };
  }
  const viaOta = async () => {
    const endpoint = await resolveViaOta({
      otaUrl: source.url,
      identity: deps.identity,
      deviceKey: deps.deviceKey,
      appVersion: deps.appVersion,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.onActivationRequired ? { onActivationRequired: deps.onActivationRequired } : {}),
      ...(deps.onActivated ? { onActivated: deps.onActivated } : {}),
      allowInsecureWebSocket: deps.allowInsecureWebSocket ?? false,
      ...(deps.transport ? { transport: deps.transport } : {}),
    });
    const websocket = endpoint.transport === 'websocket' ? endpoint : endpoint.websocket;
    deps.storeToken(websocket?.token ?? null);
    deps.mqttCredentials?.save(
      endpoint.transport === 'mqtt'
        ? {
            otaUrl: source.url,
            mqtt: endpoint.mqtt,
            websocket: websocket && {
              url: websocket.url,
              protocolVersion: websocket.protocolVersion,
            },
          }
        : null,
    );
    return endpoint;
  };
  // The connection reports a failed refresh with the error's problem.
  const refreshed = async (): Promise<ResolvedEndpoint> => {
    try {
      return await viaOta();
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      throw new ProblemError(otaProblem(error, source.url), { cause: error });
    }
  };
  const endpoint = storedMqtt(source.url, deps) ?? (await viaOta());
  const refreshToken = async (): Promise<string | null> => {
    const fresh = await refreshed();
    return fresh.transport === 'websocket' ? fresh.token : (fresh.websocket?.token ?? null);
  };
  if (endpoint.transport === 'websocket') {
    return { ...endpoint, ca, refreshToken, mqtt: null, webSocketFallback: false };
  }
  const { mqtt, websocket } = endpoint;
  return {
    url: websocket?.url ?? `${mqtt.tls ? 'mqtts' : 'mqtt'}://${mqtt.host}:${mqtt.port}`,
    token: websocket?.token ?? null,
    protocolVersion: websocket?.protocolVersion ?? 1,
    ca,
    refreshToken,
    mqtt,
    refreshMqtt: async () => {
      const fresh = await refreshed();
      return fresh.transport === 'mqtt' ? fresh.mqtt : null;
    },
    webSocketFallback: websocket !== null && (deps.transport ?? 'auto') === 'auto',
  };
}

/** The stored MQTT answer as if OTA had just given it, unless the profile wants a WebSocket. */
function storedMqtt(otaUrl: string, deps: EndpointDeps): ResolvedEndpoint | null {
  const store = deps.mqttCredentials;
  const stored = deps.transport === 'websocket' ? null : (store?.load() ?? null);
  if (!store || stored?.otaUrl !== otaUrl) return null;
  const websocket = stored.websocket && { ...stored.websocket, token: store.token() };
  return { transport: 'mqtt', mqtt: stored.mqtt, websocket };
}

function readCa(caFile: string | null): string | null {
  if (!caFile) return null;
  try {
    return readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new CaFileError(
      { code: 'caFileUnreadable', path: caFile, detail: errorDetail(error) },
      { cause: error },
    );
  }
}
