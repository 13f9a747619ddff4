import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../main/core/session/session.ts';
import type { ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { startMqttSession } from './mqtt-session.ts';

const sessions: Session[] = [];
let server: ReferenceServer | null = null;

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
});

describe('a typed turn over MQTT + UDP', () => {
  it('says hello over MQTT, gets the reply sentences and its audio over UDP', async () => {
    const h = await startMqttSession({}, {}, sessions);
    server = h.server;
    const ready = nextEvent(h.session, 'connectionChanged', (e) => e.next.kind === 'ready');
    const ended = nextEvent(h.session, 'turnEnded');
    h.session.sendText('你好');
    const { next } = await ready;
    expect(next).toMatchObject({ kind: 'ready', transport: 'mqtt' });
    const turn = await ended;
    expect(turn.aborted).toBe(false);
    expect(turn.timings.firstAudioMs).not.toBeNull();
    const sentences = h.events.flatMap((e) => (e.type === 'sentenceStarted' ? [e.text] : []));
    expect(sentences).toEqual(h.server.knobs.replyFor('你好'));
    const [mqtt] = h.server.mqttConnections;
    expect(mqtt?.hellos).toBe(1);
    expect(mqtt?.clientId).toMatch(/^GID_/);
    const hello = h.server.received.find((r) => r.type === 'hello');
    expect(hello?.message).toMatchObject({ transport: 'udp', version: 3 });
    const [udp] = h.server.udpSessions;
    // The first datagram (silence) told the gateway where we are; sequences start at 1.
    expect(udp?.receivedSequences[0]).toBe(1);
    expect(udp?.sentSequences.length).toBeGreaterThan(0);
    expect(udp?.undeliverable).toBe(0);
  });
});
