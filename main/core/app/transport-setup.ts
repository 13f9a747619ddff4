/**
 * What carries a session, from the resolved endpoint: MQTT + UDP when OTA handed out an `mqtt`
 * section the transport setting accepts (with the answer's WebSocket as the fallback of `auto`),
 * else the connection's default WebSocket. The MQTT
 * client is loaded only then, so a WebSocket profile never pays for it.
 */
import type { ConnectionOptions } from '../connection/options.ts';
import { type Clock, systemClock } from '../util/clock.ts';
import type { SessionEndpoint } from './endpoint.ts';

/** Connection options that choose the carrier for `endpoint` (none for a WebSocket). */
export async function transportOptions(
  endpoint: SessionEndpoint,
  clock: Clock = systemClock,
): Promise<Pick<ConnectionOptions, 'carriers' | 'fallBackToWebSocket'>> {
  const mqtt = endpoint.mqtt;
  if (!mqtt) return {};
  const { MqttCarriers } = await import('../connection/mqtt-carrier.ts');
  return {
    carriers: (log) =>
      new MqttCarriers({
        endpoint: mqtt,
        ca: endpoint.ca,
        clock,
        log,
        ...(endpoint.refreshMqtt ? { refreshEndpoint: endpoint.refreshMqtt } : {}),
      }),
    fallBackToWebSocket: endpoint.webSocketFallback,
  };
}
