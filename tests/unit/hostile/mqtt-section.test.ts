import { describe, expect, it } from 'vitest';
import { DEFAULT_MQTT_KEEPALIVE_SECONDS, parseMqttSection } from '../../../main/core/ota/mqtt-section.ts';

const GOOD = {
  endpoint: '192.168.1.5:1883',
  client_id: 'GID_x',
  publish_topic: 'device-server',
  subscribe_topic: 'devices/p2p/x',
};

describe('an OTA mqtt section with junk', () => {
  it.each([
    ['not an object', 'mqtt.example'],
    ['an array', [GOOD]],
    ['null', null],
    ['a port past 65535', { ...GOOD, endpoint: 'h:70000' }],
    ['port 0', { ...GOOD, endpoint: 'h:0' }],
    ['an empty host', { ...GOOD, endpoint: ':1883' }],
    ['a dangling colon', { ...GOOD, endpoint: 'h:' }],
    ['a numeric client id', { ...GOOD, client_id: 7 }],
    ['an empty topic', { ...GOOD, subscribe_topic: '' }],
  ])('%s names no broker', (_, section) => {
    expect(parseMqttSection(section)).toBeNull();
  });

  // MQTT.js refuses to connect at all with a keepalive that does not fit the CONNECT's 16 bits.
  it.each([[70_000], [-5], [1.5], ['60']])(
    'keeps the broker and takes the default keepalive for %j',
    (keepalive) => {
      expect(parseMqttSection({ ...GOOD, keepalive })).toMatchObject({
        host: '192.168.1.5',
        port: 1883,
        keepaliveSeconds: DEFAULT_MQTT_KEEPALIVE_SECONDS,
      });
    },
  );
});
