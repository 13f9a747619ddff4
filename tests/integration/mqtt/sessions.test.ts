/**
 * Sessions over MQTT + UDP as they begin and end: goodbye both ways on a connection that stays
 * up, refused credentials, UDP that never arrives, a broker restart mid-reply, barge-in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../main/core/session/session.ts';
import type { ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { startMqttSession, type MqttHarness } from './mqtt-session.ts';

const sessions: Session[] = [];
let server: ReferenceServer | null = null;

afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
});

async function start(...args: Parameters<typeof startMqttSession>): Promise<MqttHarness> {
  const h = await startMqttSession(args[0], args[1], sessions);
  server = h.server;
  return h;
}

const detects = (srv: ReferenceServer) =>
  srv.received.filter((r) => r.type === 'listen' && r.message?.state === 'detect');

describe('MQTT sessions', () => {
  it("ends on the server's goodbye as an idle close; the next turn says hello on the same link", async () => {
    const h = await start({ idleCloseMs: 300 });
    h.session.sendText('one');
    await nextEvent(h.session, 'turnEnded');
    const idle = await nextEvent(h.session, 'connectionChanged', (e) => e.next.kind !== 'ready');
    expect(idle.next).toEqual({ kind: 'disconnected', reason: 'idle' });
    expect(h.server.mqttConnections[0]?.goodbyesSent).toBe(1);

    h.session.sendText('two');
    await nextEvent(h.session, 'turnEnded');
    expect(detects(h.server).map((r) => r.message?.text)).toEqual(['one', 'two']);
    expect(h.server.mqttConnections).toHaveLength(1);
    expect(h.server.mqttConnections[0]?.hellos).toBe(2);
    // Each session has its own UDP channel, its sequences from 1 again.
    expect(h.server.udpSessions.map((u) => u.receivedSequences[0])).toEqual([1, 1]);
  });

  it('says goodbye when Lumi ends the session; the MQTT connection stays', async () => {
    const h = await start();
    h.session.sendText('hi');
    await nextEvent(h.session, 'turnEnded');
    h.session.disconnect();
    const record = await h.server.waitForMqtt((m) => m.goodbyesReceived === 1);
    expect(record.closedAt).toBeNull();
  });

  it('refused credentials: one OTA refresh, then the session works', async () => {
    const h = await start();
    // Credentials handed out before this are refused; a fresh OTA answer's work.
    h.server.setKnobs({ mqttRefusePassword: 'untilOta' });
    h.session.sendText('hi');
    await nextEvent(h.session, 'turnEnded');
    expect(h.refreshes()).toBe(1);
    expect(h.server.mqttConnections[0]?.refusal).toMatch(/password/i);
  });

  it('refused credentials again after the refresh: authFailed, no loop', async () => {
    const h = await start({ mqttRefusePassword: 'always' });
    h.session.sendText('hi');
    const failed = await nextEvent(
      h.session,
      'connectionChanged',
      (e) => e.next.kind === 'authFailed',
    );
    expect(failed.next).toMatchObject({ cause: { code: 'brokerRefused' }, refreshFailed: null });
    expect(h.refreshes()).toBe(1);
    expect(h.server.mqttConnections).toHaveLength(2);
  });

  it('UDP that never arrives ends in a clear udpBlocked, not a silent turn', async () => {
    const h = await start({ udpUnreachable: 'blackhole' });
    h.session.sendText('hi');
    const failed = await nextEvent(
      h.session,
      'connectionChanged',
      (e) => e.next.kind === 'failed',
      10_000,
    );
    expect(failed.next).toMatchObject({ cause: { code: 'udpBlocked', seconds: 3 }, retryAt: null });
  });

  it('a broker restart mid-reply: reconnect, and the unconfirmed message goes once', async () => {
    const h = await start({ stallMs: 1_500 });
    const firstAudio = nextEvent(h.session, 'sentenceStarted');
    h.session.sendText('one');
    await firstAudio;
    const lost = nextEvent(h.session, 'connectionChanged', (e) => e.previous.kind === 'ready');
    await h.server.restartBroker({ downMs: 300 });
    await lost;
    h.session.sendText('two');
    await nextEvent(h.session, 'turnEnded', (e) => !e.aborted, 15_000);
    await nextEvent(h.session, 'connectionChanged', (e) => e.next.kind === 'ready').catch(
      () => undefined,
    );
    const texts = detects(h.server).map((r) => r.message?.text);
    expect(texts.filter((t) => t === 'two')).toHaveLength(1);
    expect(h.server.mqttConnections.length).toBeGreaterThanOrEqual(2);
  });

  it('barge-in: a new message mid-reply aborts the reply and is answered', async () => {
    const h = await start({ stallMs: 1_500 });
    const first = nextEvent(h.session, 'sentenceStarted');
    h.session.sendText('one');
    await first;
    const aborted = nextEvent(h.session, 'turnEnded');
    h.session.sendText('two');
    expect((await aborted).aborted).toBe(true);
    const answered = await nextEvent(h.session, 'turnEnded');
    expect(answered.aborted).toBe(false);
    expect(h.server.received.some((r) => r.type === 'abort')).toBe(true);
    expect(detects(h.server).map((r) => r.message?.text)).toEqual(['one', 'two']);
  });
});
