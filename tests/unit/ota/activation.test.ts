import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ActivationError,
  activateUrl,
  activationHmac,
  activationPrompt,
  waitForActivation,
  type ActivationPoll,
} from '../../../main/core/ota/activation.ts';
import type { DeviceIdentity } from '../../../main/core/store/identity.ts';
import { ManualClock, flushMicrotasks } from '../../helpers/manual-clock.ts';

const identity: DeviceIdentity = {
  deviceId: '1c:db:d4:c5:3d:f0',
  clientId: '6f1c2b1e-8d2a-4c55-9a55-0d6c3a1e2f10',
  serialNumber: 'SN-0A1B2C3D-1cdbd4c53df0',
  createdAt: 0,
};
const KEY = '0b'.repeat(20);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('activation helpers', () => {
  it('puts /activate after the OTA path, inserting the slash if missing', () => {
    expect(activateUrl('https://api.tenclass.net/xiaozhi/ota/')).toBe(
      'https://api.tenclass.net/xiaozhi/ota/activate',
    );
    expect(activateUrl('http://10.0.0.5:8002/xiaozhi/ota')).toBe(
      'http://10.0.0.5:8002/xiaozhi/ota/activate',
    );
    expect(activateUrl('http://h/ota/?k=1')).toBe('http://h/ota/activate?k=1');
  });

  it('signs the challenge with HMAC-SHA256 over the raw key bytes (RFC 4231 case 1)', () => {
    expect(activationHmac(KEY, 'Hi There')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
  });

  it('finds the console address in the server message', () => {
    const prompt = (message: string) =>
      activationPrompt({ code: '123456', message, challenge: null, timeoutMs: null }).consoleUrl;
    expect(prompt('xiaozhi.me\n123456')).toBe('https://xiaozhi.me');
    expect(prompt('http://192.168.1.5:8002/console\n123456')).toBe(
      'http://192.168.1.5:8002/console',
    );
    expect(prompt('192.168.1.5:8001\n123456')).toBe('http://192.168.1.5:8001');
    expect(prompt('请登录控制面板，输入验证码 123456')).toBeNull();
  });
});

type Answer = number | Error;

/** Stands in for the network: answers each /activate POST with the next status. */
function scriptedFetch(answers: Answer[]) {
  const requests: { url: string; headers: Record<string, string>; body: unknown }[] = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    requests.push({
      url,
      headers: init.headers as Record<string, string>,
      body: JSON.parse(String(init.body)) as unknown,
    });
    const answer = answers.shift() ?? 202;
    if (answer instanceof Error) throw answer;
    return new Response(answer === 200 ? 'success' : '', { status: answer });
  });
  vi.stubGlobal('fetch', fetch);
  return requests;
}

function start(clock: ManualClock, extra: { signal?: AbortSignal; timeoutMs?: number } = {}) {
  const polls: (ActivationPoll & { at: number })[] = [];
  const begin = clock.now();
  const done = waitForActivation({
    otaUrl: 'http://127.0.0.1:8002/xiaozhi/ota/',
    identity,
    deviceKey: KEY,
    appVersion: '0.1.0',
    challenge: 'challenge-1',
    clock,
    onPoll: (poll) => polls.push({ ...poll, at: clock.now() - begin }),
    ...extra,
  }).then(
    () => 'activated',
    (error: unknown) => error,
  );
  return { polls, done };
}

describe('waitForActivation', () => {
  it('polls every 3 s on 202, 10 s after an error, and stops at 200', async () => {
    const requests = scriptedFetch([202, 202, 500, new TypeError('fetch failed'), 200]);
    const clock = new ManualClock();
    const { polls, done } = start(clock);
    await clock.advanceAsync(40_000, 500);
    expect(await done).toBe('activated');
    expect(polls.map((poll) => [poll.at, poll.status])).toEqual([
      [0, 202],
      [3_000, 202],
      [6_000, 500],
      [16_000, null],
      [26_000, 200],
    ]);
    expect(requests[0]?.url).toBe('http://127.0.0.1:8002/xiaozhi/ota/activate');
    expect(requests[0]?.headers['Device-Id']).toBe(identity.deviceId);
    expect(requests[0]?.body).toEqual({
      algorithm: 'hmac-sha256',
      serial_number: identity.serialNumber,
      challenge: 'challenge-1',
      hmac: activationHmac(KEY, 'challenge-1'),
    });
  });

  it('gives up with a timeout error when the code is never entered', async () => {
    scriptedFetch([]);
    const clock = new ManualClock();
    const { polls, done } = start(clock, { timeoutMs: 20_000 });
    await clock.advanceAsync(25_000, 500);
    const error = await done;
    expect(error).toBeInstanceOf(ActivationError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(polls.length).toBe(7);
  });

  it('stops when cancelled', async () => {
    scriptedFetch([]);
    const clock = new ManualClock();
    const controller = new AbortController();
    const { done } = start(clock, { signal: controller.signal });
    await flushMicrotasks();
    controller.abort();
    expect(await done).toMatchObject({ kind: 'aborted' });
  });
});
