import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  MAX_ANSWER_BYTES,
  OtaError,
  otaBody,
  otaHeaders,
  parseOtaAnswer,
  requestOta,
} from '../../../main/core/ota/ota-client.ts';
import { isRetryable, withOtaRetries } from '../../../main/core/ota/retry.ts';
import type { DeviceIdentity } from '../../../main/core/store/identity.ts';
import { ManualClock, flushMicrotasks } from '../../helpers/manual-clock.ts';

const identity: DeviceIdentity = {
  deviceId: '1c:db:d4:c5:3d:f0',
  clientId: '6f1c2b1e-8d2a-4c55-9a55-0d6c3a1e2f10',
  serialNumber: 'SN-0A1B2C3D-1cdbd4c53df0',
  createdAt: 0,
};
const URL_ = 'http://127.0.0.1:8003/xiaozhi/ota/';

function parseError(text: string): OtaError {
  try {
    parseOtaAnswer(text, URL_);
  } catch (error) {
    if (error instanceof OtaError) return error;
  }
  throw new Error('expected an OtaError');
}

describe('the OTA request', () => {
  it('carries the firmware headers with our identity', () => {
    expect(otaHeaders(identity, '0.1.0', 'en-US')).toEqual({
      'Activation-Version': '2',
      'Device-Id': '1c:db:d4:c5:3d:f0',
      'Client-Id': identity.clientId,
      'Serial-Number': identity.serialNumber,
      'User-Agent': 'lumi-desktop/0.1.0',
      'Accept-Language': 'en-US',
      'Content-Type': 'application/json',
    });
  });

  it('has a firmware-like body with the keys servers read', () => {
    const body = otaBody(identity, '0.1.0', 'zh-CN', 'linux-x64');
    expect(body).toMatchObject({
      language: 'zh-CN',
      mac_address: identity.deviceId,
      uuid: identity.clientId,
      chip_model_name: 'linux-x64',
      application: { name: 'lumi-desktop', version: '0.1.0' },
      board: { type: 'lumi-desktop', name: 'lumi-desktop', mac: identity.deviceId },
    });
    expect((body['application'] as { elf_sha256: string }).elf_sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('parsing the OTA answer', () => {
  it('takes websocket, activation, mqtt and server time, and ignores firmware', () => {
    const answer = {
      activation: {
        code: 123456,
        message: 'xiaozhi.me\n123456',
        challenge: 'c1',
        timeout_ms: 30000,
      },
      mqtt: {
        endpoint: 'mqtt.example',
        client_id: 'GID@@@x',
        username: 'u',
        password: 'p',
        publish_topic: 'device-server',
        subscribe_topic: 'devices/p2p/x',
      },
      websocket: { url: 'wss://api.example/xiaozhi/v1/', token: 'tok', version: 2 },
      server_time: { timestamp: 1745249872874, timezone_offset: 480 },
      firmware: { version: '9.9.9', url: 'https://evil.example/fw.bin', force: 1 },
    };
    expect(parseOtaAnswer(JSON.stringify(answer), URL_)).toEqual({
      websocket: { url: 'wss://api.example/xiaozhi/v1/', token: 'tok', protocolVersion: 2 },
      activation: {
        code: '123456',
        message: 'xiaozhi.me\n123456',
        challenge: 'c1',
        timeoutMs: 30000,
      },
      // No port: the firmware's 8883, and TLS with it; no keepalive: the firmware's 240 s.
      mqtt: {
        host: 'mqtt.example',
        port: 8883,
        tls: true,
        clientId: 'GID@@@x',
        username: 'u',
        password: 'p',
        publishTopic: 'device-server',
        subscribeTopic: 'devices/p2p/x',
        keepaliveSeconds: 240,
      },
      serverTime: { timestamp: 1745249872874, timezoneOffsetMinutes: 480 },
    });
  });

  it('reads an MQTT endpoint with a port as plain MQTT, and drops a section without topics', () => {
    const section = {
      endpoint: '192.168.1.5:1883',
      client_id: 'GID_x',
      publish_topic: 'device-server',
      subscribe_topic: 'devices/p2p/x',
      keepalive: 60,
    };
    const plain = parseOtaAnswer(JSON.stringify({ mqtt: section }), URL_).mqtt;
    expect(plain).toMatchObject({
      host: '192.168.1.5',
      port: 1883,
      tls: false,
      keepaliveSeconds: 60,
    });
    const { subscribe_topic: _topic, ...withoutTopic } = section;
    expect(parseOtaAnswer(JSON.stringify({ mqtt: withoutTopic }), URL_).mqtt).toBeNull();
  });

  it('treats an empty token as none and an unknown version as 1', () => {
    const result = parseOtaAnswer(
      JSON.stringify({ websocket: { url: 'ws://h:8000/xiaozhi/v1/', token: '', version: 7 } }),
      URL_,
    );
    expect(result.websocket).toEqual({
      url: 'ws://h:8000/xiaozhi/v1/',
      token: null,
      protocolVersion: 1,
    });
    expect(result.activation).toBeNull();
  });

  it('reports the servers’ refusals in their own words', () => {
    const xs = parseError('{"success":false,"message":"request error."}');
    expect(xs.kind).toBe('rejected');
    expect(xs.message).toContain('request error.');
    expect(parseError('{"error":"Invalid device ID"}').message).toContain('Invalid device ID');
  });

  it('tells text from JSON and unusable JSON from usable', () => {
    const text = parseError('Server is running');
    expect(text.kind).toBe('badJson');
    expect(text.message).toContain('Server is running');
    expect(parseError('{"websocket":{"url":"http://wrong/"}}').kind).toBe('badResponse');
  });
});

describe('network failures', () => {
  it('says "connection refused" when nothing listens on the port', async () => {
    const port = await closedPort();
    const error = await requestOta({
      url: `http://127.0.0.1:${port}/xiaozhi/ota/`,
      identity,
      appVersion: '0.1.0',
    }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OtaError);
    expect(error).toMatchObject({ kind: 'refused', code: 'ECONNREFUSED' });
    expect(isRetryable(error)).toBe(true);
  });

  it('times out a server that never answers, on the injected clock', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const clock = new ManualClock();
    try {
      const pending = requestOta({
        url: `http://127.0.0.1:${port}/xiaozhi/ota/`,
        identity,
        appVersion: '0.1.0',
        clock,
        timeoutMs: 4_000,
      }).catch((failure: unknown) => failure);
      await flushMicrotasks();
      clock.advance(4_000);
      const error = await pending;
      expect(error).toMatchObject({ kind: 'timeout' });
      expect((error as Error).message).toContain('within 4 s');
    } finally {
      server.close();
    }
  });
});

describe('oversized answers', () => {
  it('stops reading past the limit instead of buffering whatever is sent', async () => {
    let sent = 0;
    const server = createHttpServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!response.destroyed && sent < 50 * MAX_ANSWER_BYTES) {
          sent += chunk.length;
          if (!response.write(chunk)) return response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error = await requestOta({
        url: `http://127.0.0.1:${port}/xiaozhi/ota/`,
        identity,
        appVersion: '0.1.0',
      }).catch((failure: unknown) => failure);
      expect(error).toMatchObject({ kind: 'badResponse' });
      expect((error as Error).message).toMatch(/too large/);
      expect(sent).toBeLessThan(50 * MAX_ANSWER_BYTES);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('retries', () => {
  it('retries passing failures with growing delays, then succeeds', async () => {
    const clock = new ManualClock();
    const delays: number[] = [];
    let calls = 0;
    const result = withOtaRetries(
      async () => {
        calls += 1;
        if (calls < 3) throw new OtaError('http', 'HTTP 503', 503);
        return 'ok';
      },
      { clock, random: () => 1, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    await clock.advanceAsync(60_000, 1_000);
    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([10_000, 20_000]);
  });

  it('gives up at once on failures only the user can fix', async () => {
    let calls = 0;
    const failing = withOtaRetries(async () => {
      calls += 1;
      throw new OtaError('http', 'HTTP 404', 404);
    });
    await expect(failing).rejects.toMatchObject({ status: 404 });
    expect(calls).toBe(1);
    expect(isRetryable(new OtaError('tls', 'bad cert'))).toBe(false);
  });

  it('stops waiting when aborted', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const failing = withOtaRetries(
      async () => {
        throw new OtaError('timeout', 'slow');
      },
      { clock, signal: controller.signal },
    ).catch((failure: unknown) => failure);
    await flushMicrotasks();
    controller.abort();
    expect(await failing).toMatchObject({ kind: 'aborted' });
    expect(clock.pending()).toEqual([]);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
