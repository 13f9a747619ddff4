import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MQTT_KEEPALIVE_SECONDS,
  parseMqttSection,
} from '../../../main/core/ota/mqtt-section.ts';

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
    // MQTT.js would throw out of its constructor (and leave its socket behind) on these.
    ['a client id over 65 535 bytes', { ...GOOD, client_id: 'x'.repeat(65_536) }],
    ['a password over 65 535 UTF-8 bytes', { ...GOOD, password: '密'.repeat(21_846) }],
    ['a user name over 65 535 bytes', { ...GOOD, username: 'u'.repeat(70_000) }],
    ['a topic over 65 535 bytes', { ...GOOD, subscribe_topic: `d/${'t'.repeat(65_534)}` }],
  ])('%s names no broker', (_, section) => {
    expect(parseMqttSection(section)).toBeNull();
  });

  it('takes strings up to the 65 535 bytes MQTT can write', () => {
    const longest = { ...GOOD, client_id: 'x'.repeat(65_535), password: '密'.repeat(21_845) };
    expect(parseMqttSection(longest)).toMatchObject({ clientId: longest.client_id });
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
