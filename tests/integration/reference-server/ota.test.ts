import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { PlainClient, firmwareHello } from '../../fixtures/reference-server/plain-client.ts';

const DEVICE = 'aa:bb:cc:dd:ee:03';
const CLIENT = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const HEADERS = { 'Device-Id': DEVICE, 'Client-Id': CLIENT, 'Content-Type': 'application/json' };
const BODY = JSON.stringify({ application: { version: '0.1.0' }, board: { type: 'lumi-desktop' } });

let server: ReferenceServer;

beforeEach(async () => {
  server = await startReferenceServer();
});

afterEach(async () => {
  await server.stop();
});

function postOta(path = '', headers: Record<string, string> = HEADERS, body = BODY) {
  return fetch(`${server.otaUrl}${path}`, { method: 'POST', headers, body });
}

describe('OTA', () => {
  it('hands out the WebSocket URL, server time and an echoed firmware version', async () => {
    const response = await postOta();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      server_time: { timestamp: expect.any(Number), timezone_offset: 480 },
      firmware: { version: '0.1.0' },
      websocket: { url: server.url, token: '' },
    });
    expect(body).not.toHaveProperty('activation');
  });

  it('issues an HMAC token the WebSocket then accepts for the same ids', async () => {
    server.setKnobs({ token: 'static' });
    const body = (await (await postOta()).json()) as { websocket: { token: string } };
    const client = await PlainClient.connect(server.url, {
      'Device-Id': DEVICE,
      'Client-Id': CLIENT,
      Authorization: `Bearer ${body.websocket.token}`,
    });
    client.sendJson(firmwareHello({ features: {} }));
    await client.waitForJson('hello');
    await client.close();
  });

  it('answers 200 with success:false when Device-Id or Client-Id is missing', async () => {
    const response = await postOta('', { 'Device-Id': DEVICE });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: false, message: 'request error.' });
  });

  it('carries an activation code until approved; /activate answers 202 then 200', async () => {
    server.setKnobs({ activation: true, autoApproveAfterPolls: 1 });
    const first = (await (await postOta()).json()) as { activation: Record<string, unknown> };
    const code = server.activationCode(DEVICE);
    expect(code).toMatch(/^\d{6}$/);
    expect(first.activation).toEqual({
      code,
      message: `http://127.0.0.1:${server.port}/console\n${code}`,
      challenge: expect.any(String),
      timeout_ms: 30000,
    });
    const payload = {
      algorithm: 'hmac-sha256',
      serial_number: 'SN-TEST',
      challenge: first.activation.challenge,
      hmac: 'ab'.repeat(32),
    };
    const poll = () => postOta('activate', HEADERS, JSON.stringify(payload));
    expect((await poll()).status).toBe(202);
    const approved = await poll();
    expect(approved.status).toBe(200);
    expect(await approved.text()).toBe('success');
    expect(
      server.otaRequests.filter((r) => r.path.endsWith('activate')).map((r) => r.body),
    ).toEqual([payload, payload]);
    const after = (await (await postOta()).json()) as Record<string, unknown>;
    expect(after).not.toHaveProperty('activation');
  });

  it('keeps answering 202 until a test approves the device', async () => {
    server.setKnobs({ activation: true });
    expect((await postOta('activate', HEADERS, '{}')).status).toBe(202);
    server.approveActivation(DEVICE);
    expect((await postOta('activate', HEADERS, '{}')).status).toBe(200);
  });

  it('misbehaves on request: broken JSON, HTTP 500', async () => {
    server.setKnobs({ otaMode: 'badJson' });
    const broken = await postOta();
    expect(broken.status).toBe(200);
    await expect(broken.json()).rejects.toThrow();
    server.setKnobs({ otaMode: 'status500' });
    expect((await postOta()).status).toBe(500);
  });

  it('never answers when hanging', async () => {
    server.setKnobs({ otaMode: 'hang' });
    const outcome = await Promise.race([
      postOta().then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((resolve) => setTimeout(() => resolve('hung'), 300)),
    ]);
    expect(outcome).toBe('hung');
    expect(server.otaRequests.at(-1)?.status).toBeNull();
  });
});
