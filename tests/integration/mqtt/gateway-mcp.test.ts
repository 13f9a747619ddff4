/**
 * A gateway's own MCP handshake before the hello (xinnan-tech/xiaozhi-mqtt-gateway, id 10000,
 * no vision endpoint): answered like any other; the server's `initialize` after the hello names
 * the vision endpoint, and that one is used. The device MCP server is the app's, attached as in
 * the app and the CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ServerFeatures } from '../../../main/core/app/server-features.ts';
import { allowListPrompt, ConsentGate } from '../../../main/core/mcp/consent.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import type { Session } from '../../../main/core/session/session.ts';
import { systemClock } from '../../../main/core/util/clock.ts';
import { GATEWAY_MCP_ID, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { nextEvent } from '../../helpers/session-events.ts';
import { startMqttSession } from './mqtt-session.ts';

const sessions: Session[] = [];
let server: ReferenceServer | null = null;
let features: ServerFeatures | null = null;

afterEach(async () => {
  await features?.close();
  features = null;
  for (const s of sessions.splice(0)) await s.close();
  await server?.stop();
  server = null;
});

function serverFeatures(): ServerFeatures {
  const desktop = new NodeDesktopCapabilities({
    app: {
      getVolume: () => Promise.resolve(50),
      setVolume: () => Promise.resolve(),
      getMode: () => Promise.resolve('manual'),
      setMode: () => Promise.resolve(),
      status: () => Promise.resolve({ connection: 'ready', appVersion: '0.1.0', os: 'linux' }),
    },
    env: { PATH: '' },
    platform: 'linux',
  });
  return new ServerFeatures({
    desktop,
    consent: new ConsentGate({
      chosen: () => undefined,
      prompt: allowListPrompt([]),
      clock: systemClock,
    }),
    clock: systemClock,
    appVersion: '0.1.0',
    appHeartbeat: false,
  });
}

describe('a gateway that speaks MCP before the hello', () => {
  it('gets its answer; the vision endpoint is the server’s; tools stay known for the next session', async () => {
    const tools = serverFeatures();
    features = tools;
    const h = await startMqttSession(
      { mcp: true, gatewayMcpBeforeHello: true, idleCloseMs: 2_500 },
      { onServerMessage: (message) => tools.handle(message) },
      sessions,
    );
    server = h.server;
    tools.attach(h.session);
    const opened = nextEvent(h.session, 'turnsOpened');
    h.session.sendText('你好');
    expect((await opened).why).toBe('tools-listed');
    await nextEvent(h.session, 'turnEnded');

    const answered = [
      ...h.server.mqttConnections[0]!.unrouted,
      ...h.server.received.map((r) => ({ text: JSON.stringify(r.message) })),
    ]
      .map((m) => m.text)
      .some((text) => text.includes(`"id":${GATEWAY_MCP_ID}`) && text.includes('"result"'));
    expect(answered).toBe(true);
    expect(tools.mcp.vision?.url).toMatch(/^http/);

    // The server ends the quiet session; the next one on the same link opens at once.
    await nextEvent(h.session, 'connectionChanged', (e) => e.next.kind === 'disconnected', 10_000);
    const again = nextEvent(h.session, 'turnsOpened');
    h.session.sendText('再来');
    const reopened = await again;
    // At once: no new wait for a handshake the gateway answers from its cache.
    expect(reopened).toMatchObject({ why: 'tools-listed', waitedMs: 0 });
    expect(h.server.mqttConnections).toHaveLength(1);
    expect(tools.mcp.vision?.url).toMatch(/^http/);
  });
});
