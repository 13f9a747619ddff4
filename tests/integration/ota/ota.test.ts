import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ActivationError,
  activationHmac,
  activationPrompt,
  waitForActivation,
} from '../../../main/core/ota/activation.ts';
import { OtaError, requestOta } from '../../../main/core/ota/ota-client.ts';
import { isRetryable } from '../../../main/core/ota/retry.ts';
import {
  randomMac,
  serialFromMac,
  type DeviceIdentity,
} from '../../../main/core/store/identity.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

/** Real time here, so polls are quick rather than the firmware's 3 s. */
const FAST_POLL_MS = 50;

let server: ReferenceServer;
let identity: DeviceIdentity;
let deviceKey: string;
beforeEach(async () => {
  server = await startReferenceServer();
  const mac = randomMac();
  identity = {
    deviceId: mac,
    clientId: crypto.randomUUID(),
    serialNumber: serialFromMac(mac),
    createdAt: Date.now(),
  };
  deviceKey = randomBytes(32).toString('hex');
});
afterEach(async () => {
  await server.stop();
});

const ota = (timeoutMs?: number) =>
  requestOta({
    url: server.otaUrl,
    identity,
    appVersion: '0.1.0',
    ...(timeoutMs ? { timeoutMs } : {}),
  });

const failure = async (promise: Promise<unknown>): Promise<OtaError> => {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof OtaError)) throw new Error(`expected an OtaError, got ${String(error)}`);
  return error;
};

describe('OTA against the reference server', () => {
  it('gets the WebSocket address and an HMAC token bound to this device', async () => {
    server.setKnobs({ token: 'server-secret' });
    const result = await ota();
    expect(result.websocket?.url).toBe(server.url);
    expect(result.websocket?.token).toMatch(/^[A-Za-z0-9_-]{43}\.\d+$/);
    expect(result.activation).toBeNull();
    expect(result.serverTime?.timezoneOffsetMinutes).toBe(480);
    const [request] = server.otaRequests;
    expect(request).toMatchObject({
      method: 'POST',
      deviceId: identity.deviceId,
      clientId: identity.clientId,
      body: {
        application: { name: 'lumi-desktop', version: '0.1.0' },
        mac_address: identity.deviceId,
      },
    });
  });

  it('hands out no token when auth is off', async () => {
    expect((await ota()).websocket?.token).toBeNull();
  });

  it('reports bad JSON, HTTP 500 and a hanging server as plain, typed errors', async () => {
    server.setKnobs({ otaMode: 'badJson' });
    const badJson = await failure(ota());
    expect(badJson.kind).toBe('badJson');
    expect(badJson.message).toMatch(/not JSON/);

    server.setKnobs({ otaMode: 'status500' });
    const status = await failure(ota());
    expect(status).toMatchObject({ kind: 'http', status: 500 });
    expect(isRetryable(status)).toBe(true);

    server.setKnobs({ otaMode: 'hang' });
    const hang = await failure(ota(400));
    expect(hang.kind).toBe('timeout');
    expect(server.otaRequests.at(-1)?.status).toBeNull();
  });
});

describe('activation against the reference server', () => {
  it('shows the code, polls through 202 until 200, then OTA hands out the token', async () => {
    server.setKnobs({ token: 'server-secret', activation: true, autoApproveAfterPolls: 2 });
    const first = await ota();
    const activation = first.activation;
    if (activation === null) throw new Error('expected an activation section');
    const prompt = activationPrompt(activation);
    expect(prompt.code).toBe(server.activationCode(identity.deviceId));
    expect(prompt.consoleUrl).toBe(`http://127.0.0.1:${server.port}/console`);

    const statuses: (number | null)[] = [];
    await waitForActivation({
      otaUrl: server.otaUrl,
      identity,
      deviceKey,
      appVersion: '0.1.0',
      challenge: activation.challenge,
      pollIntervalMs: FAST_POLL_MS,
      onPoll: (poll) => statuses.push(poll.status),
    });
    expect(statuses).toEqual([202, 202, 200]);
    const polls = server.otaRequests.filter((request) => request.path.endsWith('/activate'));
    expect(polls.map((request) => request.status)).toEqual([202, 202, 200]);
    expect(polls[0]?.body).toEqual({
      algorithm: 'hmac-sha256',
      serial_number: identity.serialNumber,
      challenge: activation.challenge,
      hmac: activationHmac(deviceKey, activation.challenge ?? ''),
    });

    const second = await ota();
    expect(second.activation).toBeNull();
    expect(second.websocket?.token).toBeTruthy();
  });

  it('waits for a person to approve the device in the console', async () => {
    server.setKnobs({ activation: true });
    const { activation } = await ota();
    let polls = 0;
    await waitForActivation({
      otaUrl: server.otaUrl,
      identity,
      deviceKey,
      appVersion: '0.1.0',
      challenge: activation?.challenge ?? null,
      pollIntervalMs: FAST_POLL_MS,
      onPoll: () => {
        polls += 1;
        if (polls === 3) server.approveActivation(identity.deviceId);
      },
    });
    expect(polls).toBe(4);
  });

  it('can be cancelled and times out when nobody approves', async () => {
    server.setKnobs({ activation: true });
    const options = {
      otaUrl: server.otaUrl,
      identity,
      deviceKey,
      appVersion: '0.1.0',
      challenge: 'c',
      pollIntervalMs: FAST_POLL_MS,
    };
    const timedOut = await waitForActivation({ ...options, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(timedOut).toBeInstanceOf(ActivationError);
    expect(timedOut).toMatchObject({ kind: 'timeout' });

    const controller = new AbortController();
    const cancelled = waitForActivation({ ...options, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    setTimeout(() => controller.abort(), 120);
    expect(await cancelled).toMatchObject({ kind: 'aborted' });
  });
});
