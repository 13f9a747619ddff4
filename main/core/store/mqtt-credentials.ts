/**
 * The OTA's MQTT answer, kept with the profile's secrets like its token (secrets.ts: encrypted
 * through the keystore, or held in memory until the user agrees), so the next start connects to
 * the broker without an OTA round, as the firmware keeps its `mqtt` settings across boots
 * (docs/protocol.md §7.2). The answer's WebSocket address rides along for auto's fallback; its
 * token stays the `token` secret. A broker that refuses them gets fresh ones through OTA
 * (endpoint.ts), which overwrite these.
 */
import { mqttSectionOf, parseMqttSection, type MqttEndpoint } from '../ota/mqtt-section.ts';
import * as z from '../util/zod.ts';
import type { SecretStore, SecretWrite } from './secrets.ts';

export interface StoredMqtt {
  /** The OTA that gave them: another OTA's answer means nothing to this one's broker. */
  readonly otaUrl: string;
  readonly mqtt: MqttEndpoint;
  /** The WebSocket the same answer offered (without its token), or null. */
  readonly websocket: { readonly url: string; readonly protocolVersion: 1 | 2 | 3 } | null;
}

const StoredSchema = z.object({
  otaUrl: z.string(),
  section: z.record(z.string(), z.unknown()),
  websocket: z.nullable(
    z.object({
      url: z.string(),
      protocolVersion: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    }),
  ),
});

/** The profile's stored MQTT answer, or null when there is none or it no longer parses. */
export function loadMqttCredentials(secrets: SecretStore, profileId: string): StoredMqtt | null {
  const text = secrets.get(profileId, 'mqtt');
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const stored = StoredSchema.safeParse(parsed);
  if (!stored.success) return null;
  const mqtt = parseMqttSection(stored.data.section);
  const { otaUrl, websocket } = stored.data;
  return mqtt ? { otaUrl, mqtt, websocket } : null;
}

/** Keep the answer (null forgets it: the OTA no longer offers MQTT). */
export function saveMqttCredentials(
  secrets: SecretStore,
  profileId: string,
  stored: StoredMqtt | null,
): SecretWrite | null {
  if (stored === null) {
    secrets.delete(profileId, 'mqtt');
    return null;
  }
  const { otaUrl, websocket } = stored;
  const text = JSON.stringify({ otaUrl, section: mqttSectionOf(stored.mqtt), websocket });
  return secrets.set(profileId, 'mqtt', text);
}
