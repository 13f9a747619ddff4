/**
 * A Lumi session over MQTT + UDP against the reference server's gateway, for the tests in this
 * folder: the OTA's `mqtt` section straight from the server (`mqttSection`), the real carrier.
 */
import type { SessionEvent } from '../../../shared/session-events.ts';
import { createSession, type SessionSetup } from '../../../main/core/app/create-session.ts';
import { transportOptions } from '../../../main/core/app/transport-setup.ts';
import { ReplyDecoder } from '../../../main/core/audio/opus-codec.ts';
import { NullSink } from '../../../main/core/audio/wav-sink.ts';
import { parseMqttSection, type MqttEndpoint } from '../../../main/core/ota/mqtt-section.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

export const DEVICE_ID = '02:4c:55:4d:51:01';
export const CLIENT_ID = '9c1f5a7e-2b3d-4e6f-8a9b-0c1d2e3f4a51';
export const FAST_BACKOFF = {
  firstDelayMs: 100,
  maxDelayMs: 400,
  maxAttempts: 8,
  slowRetryMs: 60_000,
};

export interface MqttHarness {
  readonly server: ReferenceServer;
  readonly session: Session;
  readonly events: SessionEvent[];
  /** How often the session asked for fresh credentials. */
  readonly refreshes: () => number;
}

export function mqttEndpointOf(server: ReferenceServer): MqttEndpoint {
  const endpoint = parseMqttSection(server.mqttSection(DEVICE_ID));
  if (!endpoint) throw new Error('the reference server handed out an unusable mqtt section');
  return endpoint;
}

/** Start a reference server and a session that talks MQTT + UDP to it. */
export async function startMqttSession(
  knobs: Parameters<typeof startReferenceServer>[0] = {},
  setup: Partial<SessionSetup> = {},
  tracked: Session[] = [],
): Promise<MqttHarness> {
  const server = await startReferenceServer({ mcp: false, ...knobs });
  let refreshes = 0;
  const transport = await transportOptions({
    url: 'unused',
    token: null,
    protocolVersion: 1,
    ca: null,
    mqtt: mqttEndpointOf(server),
    refreshMqtt: () => {
      refreshes += 1;
      return Promise.resolve(mqttEndpointOf(server));
    },
    webSocketFallback: false,
  });
  const session = createSession({
    url: server.url,
    token: null,
    deviceId: DEVICE_ID,
    clientId: CLIENT_ID,
    sink: new NullSink(),
    decoderFactory: (rate) => new ReplyDecoder(rate),
    ...setup,
    connection: { backoff: FAST_BACKOFF, ...transport, ...setup.connection },
  });
  tracked.push(session);
  const events: SessionEvent[] = [];
  session.onEvent((e) => events.push(e));
  return { server, session, events, refreshes: () => refreshes };
}
