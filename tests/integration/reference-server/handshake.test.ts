import { afterEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import {
  PlainClient,
  deviceHeaders,
  firmwareHello,
} from '../../fixtures/reference-server/plain-client.ts';

const DEVICE = 'aa:bb:cc:dd:ee:02';
const CLIENT = '0b5c7a8e-1f2d-4e3a-8b9c-0d1e2f3a4b5c';

let server: ReferenceServer;

afterEach(async () => {
  await server.stop();
});

describe('upgrade checks', () => {
  it('accepts the upgrade, sends 认证失败 and closes 1000 when the token is wrong', async () => {
    server = await startReferenceServer({ token: 'secret' });
    const client = await PlainClient.connect(server.url, {
      ...deviceHeaders(DEVICE, CLIENT),
      Authorization: 'Bearer wrong',
    });
    const closed = await client.closed;
    expect(closed.code).toBe(1000);
    expect(client.frames.map((f) => f.text)).toEqual(['认证失败']);
    const record = await server.waitForConnection((c) => c.closeCode !== null);
    expect(record).toMatchObject({ authorized: false, closeCode: 1000, closedBy: 'server' });
  });

  it('accepts the static token and an HMAC token bound to Client-Id and Device-Id', async () => {
    server = await startReferenceServer({ token: 'secret' });
    const bearer = await PlainClient.connect(server.url, {
      ...deviceHeaders(DEVICE, CLIENT),
      Authorization: 'Bearer secret',
    });
    const hmac = server.issueToken(CLIENT, DEVICE);
    expect(hmac).toMatch(/^[A-Za-z0-9_-]{43}\.\d+$/);
    const signed = await PlainClient.connect(server.url, {
      ...deviceHeaders(DEVICE, CLIENT),
      Authorization: `Bearer ${hmac}`,
    });
    const otherClient = await PlainClient.connect(server.url, {
      ...deviceHeaders(DEVICE, 'another-client-id'),
      Authorization: `Bearer ${hmac}`,
    });
    expect((await otherClient.closed).code).toBe(1000);
    expect(server.connections.map((c) => c.authorized)).toEqual([true, true, false]);
    expect(server.connections[1]?.headers).toEqual({
      authorization: `Bearer ${hmac}`,
      protocolVersion: '1',
      deviceId: DEVICE,
      clientId: CLIENT,
    });
    await bearer.close();
    await signed.close();
  });

  it('takes device-id, client-id and authorization from the query when the header is absent', async () => {
    server = await startReferenceServer({ token: 'secret' });
    const query = `?device-id=${DEVICE}&client-id=${CLIENT}&authorization=${encodeURIComponent('Bearer secret')}`;
    const client = await PlainClient.connect(`${server.url}${query}`, {});
    client.sendJson(firmwareHello());
    await client.waitForJson('hello');
    expect(server.connections[0]?.headers.deviceId).toBe(DEVICE);
    await client.close();
  });

  it('tells a client without Device-Id that the port works, then closes', async () => {
    server = await startReferenceServer();
    const client = await PlainClient.connect(server.url, {});
    expect((await client.closed).code).toBe(1000);
    expect(client.frames[0]?.text).toBe('端口正常，如需测试连接，请启动digital-human测试');
  });

  it('refuses the upgrade with an HTTP status when told to', async () => {
    server = await startReferenceServer({ refuseUpgrade: 401 });
    await expect(PlainClient.connect(server.url)).rejects.toThrow('HTTP 401');
    expect(server.connections[0]?.refusedStatus).toBe(401);
  });

  it('answers a plain GET with 200 Server is running', async () => {
    server = await startReferenceServer();
    const response = await fetch(`http://127.0.0.1:${server.port}/xiaozhi/v1/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Server is running');
  });
});

describe('hello', () => {
  it('answers with a session id and echoes the client audio_params (the XS 16 kHz quirk)', async () => {
    server = await startReferenceServer({ mcp: false });
    const client = await PlainClient.connect(server.url);
    client.sendJson(firmwareHello());
    const hello = (await client.waitForJson('hello')).message;
    expect(hello).toMatchObject({
      type: 'hello',
      version: 1,
      transport: 'websocket',
      audio_params: { format: 'opus', sample_rate: 16000, channels: 1, frame_duration: 60 },
    });
    expect(hello?.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(hello).not.toHaveProperty('server_info');
    expect(server.connections[0]?.sessionId).toBe(hello?.session_id);
    await client.close();
  });

  it('echoes the id and adds server_info for the original Lumi dialect', async () => {
    server = await startReferenceServer({ mcp: false });
    const client = await PlainClient.connect(server.url);
    client.sendJson(firmwareHello({ id: 'hello-1' }));
    const hello = (await client.waitForJson('hello')).message;
    expect(hello).toMatchObject({
      id: 'hello-1',
      server_info: { capabilities: expect.any(Array) },
    });
    await client.close();
  });

  it('records but never answers the hello when hanging', async () => {
    server = await startReferenceServer({ hangBeforeHello: true });
    const client = await PlainClient.connect(server.url);
    client.sendJson(firmwareHello());
    await server.waitFor((r) => r.type === 'hello');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(client.frames).toHaveLength(0);
    expect(server.connections[0]?.hello).toMatchObject({ type: 'hello' });
    await client.close();
  });
});
