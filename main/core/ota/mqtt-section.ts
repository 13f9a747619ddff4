/**
 * The OTA answer's `mqtt` section (docs/protocol.md §7.2; FW `main/ota.cc`): where the broker is
 * and the device's credentials. `endpoint` is host[:port]; without a port the firmware uses
 * 8883, and it speaks TLS exactly when the port is 8883. `username` and `password` are secrets
 * like the WebSocket token: stored with the profile's secrets and never logged.
 */
import * as z from '../util/zod.ts';

/** The firmware's default broker port, and the port on which it speaks TLS. */
export const MQTT_TLS_PORT = 8883;
/** The firmware's keepalive when the answer names none (FW `mqtt_protocol.cc`). */
export const DEFAULT_MQTT_KEEPALIVE_SECONDS = 240;
/** The CONNECT packet holds the keepalive in 16 bits; MQTT.js refuses to connect with more. */
const MAX_MQTT_KEEPALIVE_SECONDS = 65_535;

export interface MqttEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly clientId: string;
  readonly username: string;
  readonly password: string;
  readonly publishTopic: string;
  readonly subscribeTopic: string;
  readonly keepaliveSeconds: number;
}

/**
 * MQTT writes every string behind a 16-bit byte length (MQTT 3.1.1 §1.5.3); MQTT.js throws out
 * of its constructor on a longer client id, user name or password, and leaves its socket behind.
 */
const MAX_MQTT_STRING_BYTES = 65_535;
const encoder = new TextEncoder();
const fitsMqtt = z.refine<string>((value) => encoder.encode(value).length <= MAX_MQTT_STRING_BYTES);

const text = z.string().check(z.minLength(1), fitsMqtt);

const MqttSectionSchema = z.object({
  endpoint: text,
  client_id: text,
  username: z.optional(z.string().check(fitsMqtt)),
  password: z.optional(z.string().check(fitsMqtt)),
  publish_topic: text,
  subscribe_topic: text,
  // One odd number is no reason to lose the broker: out of range, the firmware's default.
  keepalive: z.catch(
    z.optional(z.int().check(z.positive(), z.lte(MAX_MQTT_KEEPALIVE_SECONDS))),
    undefined,
  ),
});

const HOST_PORT = /^(?<host>\[[^\]]+\]|[^:]+)(?::(?<port>\d{1,5}))?$/;

/** The section as an endpoint, or null when it does not name a usable broker and topics. */
export function parseMqttSection(section: unknown): MqttEndpoint | null {
  const parsed = MqttSectionSchema.safeParse(section);
  if (!parsed.success) return null;
  const data = parsed.data;
  const match = HOST_PORT.exec(data.endpoint.trim());
  const host = match?.groups?.['host'];
  if (!host) return null;
  const port = match.groups?.['port'] ? Number(match.groups['port']) : MQTT_TLS_PORT;
  if (port < 1 || port > 65_535) return null;
  return {
    host: host.replace(/^\[|\]$/g, ''),
    port,
    tls: port === MQTT_TLS_PORT,
    clientId: data.client_id,
    username: data.username ?? '',
    password: data.password ?? '',
    publishTopic: data.publish_topic,
    subscribeTopic: data.subscribe_topic,
    keepaliveSeconds: data.keepalive ?? DEFAULT_MQTT_KEEPALIVE_SECONDS,
  };
}

/** The endpoint back in the OTA answer's shape, which `parseMqttSection` reads again. */
export function mqttSectionOf(endpoint: MqttEndpoint): Record<string, string | number> {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return {
    endpoint: `${host}:${endpoint.port}`,
    client_id: endpoint.clientId,
    username: endpoint.username,
    password: endpoint.password,
    publish_topic: endpoint.publishTopic,
    subscribe_topic: endpoint.subscribeTopic,
    keepalive: endpoint.keepaliveSeconds,
  };
}
