import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDoctorNote, type DoctorNote } from '../../../shared/doctor-notes.ts';
import type { DoctorStep } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import { runDoctor, type DoctorOptions } from '../../../main/core/ota/doctor.ts';
import {
  randomMac,
  serialFromMac,
  type DeviceIdentity,
} from '../../../main/core/store/identity.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

let server: ReferenceServer;
let identity: DeviceIdentity;
beforeEach(async () => {
  server = await startReferenceServer();
  const mac = randomMac();
  identity = {
    deviceId: mac,
    clientId: crypto.randomUUID(),
    serialNumber: serialFromMac(mac),
    createdAt: Date.now(),
  };
});
afterEach(async () => {
  await server.stop();
});

type Endpoint = ServerProfile['endpoint'];

function doctor(endpoint: Endpoint, extra: Partial<DoctorOptions> = {}) {
  return runDoctor({
    profile: { endpoint, caFile: null },
    identity,
    token: null,
    appVersion: '0.1.0',
    ...extra,
  });
}

/** A note as `lumi-cli doctor` prints it. */
const english = (note: DoctorNote | null): string =>
  note === null ? '' : describeDoctorNote(note);

const byName = (steps: readonly DoctorStep[]) =>
  Object.fromEntries(steps.map((step) => [step.name, step])) as Record<
    DoctorStep['name'],
    DoctorStep
  >;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('doctor against the reference server', () => {
  it('passes every step through OTA with auth on, and reports them live', async () => {
    server.setKnobs({ token: 'server-secret' });
    const live: string[] = [];
    const steps = await doctor(
      { kind: 'ota', url: server.otaUrl },
      { onStep: (step) => live.push(step.name) },
    );
    expect(steps.map((step) => [step.name, step.ok, step.skipped])).toEqual([
      ['ota', true, false],
      ['activation', true, true],
      ['websocket', true, false],
      ['hello', true, false],
      ['mcp', true, false],
    ]);
    expect(live).toEqual(['ota', 'activation', 'websocket', 'hello', 'mcp']);
    expect(steps.every((step) => step.fix === null && step.ms >= 0)).toBe(true);
    const connection = await server.waitForConnection((each) => each.authorized);
    expect(connection.headers).toMatchObject({
      deviceId: identity.deviceId,
      clientId: identity.clientId,
      protocolVersion: '1',
    });
    expect(connection.headers.authorization).toMatch(/^Bearer \S+\.\d+$/);
  });

  it('skips OTA and activation for a direct WebSocket profile', async () => {
    server.setKnobs({ token: 'server-secret' });
    const token = server.issueToken(identity.clientId, identity.deviceId);
    const steps = byName(await doctor({ kind: 'websocket', url: server.url }, { token }));
    expect(steps.ota).toMatchObject({ ok: true, skipped: true });
    expect(steps.activation).toMatchObject({ ok: true, skipped: true });
    expect(steps.mcp).toMatchObject({ ok: true, skipped: false });
  });

  it('names the wrong port when nothing listens on it', async () => {
    const port = await closedPort();
    const steps = byName(
      await doctor({ kind: 'ota', url: `http://127.0.0.1:${port}/xiaozhi/ota/` }),
    );
    expect(steps.ota.ok).toBe(false);
    expect(english(steps.ota.detail)).toMatch(/refused/i);
    expect(english(steps.ota.fix)).toMatch(/start the server, or check the port/);
    expect(steps.websocket).toMatchObject({ ok: false, skipped: true });

    const direct = byName(
      await doctor({ kind: 'websocket', url: `ws://127.0.0.1:${port}/xiaozhi/v1/` }),
    );
    expect(english(direct.websocket.fix)).toMatch(/WebSocket port is 8000/);
  });

  it('points at the path when the address is not the OTA endpoint', async () => {
    const steps = byName(
      await doctor({ kind: 'ota', url: `http://127.0.0.1:${server.port}/xiaozhi/v1/` }),
    );
    expect(steps.ota.ok).toBe(false);
    expect(english(steps.ota.fix)).toMatch(/\/xiaozhi\/ota\//);
  });

  it('explains a refused token (认证失败) on a direct profile', async () => {
    server.setKnobs({ token: 'server-secret' });
    const steps = byName(
      await doctor({ kind: 'websocket', url: server.url }, { token: 'stale-token' }),
    );
    expect(steps.websocket.ok).toBe(true);
    expect(steps.hello.ok).toBe(false);
    expect(english(steps.hello.detail)).toContain('认证失败');
    expect(english(steps.hello.fix)).toMatch(/token/);
    expect(steps.mcp.skipped).toBe(true);
  });

  it('asks to bind the code in the console while activation is pending', async () => {
    server.setKnobs({ activation: true });
    const steps = byName(await doctor({ kind: 'ota', url: server.otaUrl }));
    const code = server.activationCode(identity.deviceId);
    expect(steps.activation.ok).toBe(false);
    expect(steps.activation.detail).toEqual({ code: 'activationPending', activationCode: code });
    expect(english(steps.activation.detail)).toContain(code);
    expect(english(steps.activation.fix)).toContain(`http://127.0.0.1:${server.port}/console`);
  });

  it('says "not a xiaozhi server" when no hello comes', async () => {
    server.setKnobs({ hangBeforeHello: true });
    const steps = byName(
      await doctor({ kind: 'websocket', url: server.url }, { helloTimeoutMs: 300 }),
    );
    expect(steps.hello.ok).toBe(false);
    expect(english(steps.hello.fix)).toMatch(/not a xiaozhi server/);
  });

  it('reports an upgrade refused with 401 as a token problem', async () => {
    server.setKnobs({ refuseUpgrade: 401 });
    const steps = byName(await doctor({ kind: 'websocket', url: server.url }));
    expect(steps.websocket.ok).toBe(false);
    expect(english(steps.websocket.detail)).toContain('401');
    expect(english(steps.websocket.fix)).toMatch(/token/);
  });

  it('flags a server that does not start MCP, with chat still working', async () => {
    server.setKnobs({ mcp: false });
    const steps = byName(
      await doctor({ kind: 'websocket', url: server.url }, { mcpTimeoutMs: 300 }),
    );
    expect(steps.hello.ok).toBe(true);
    expect(steps.mcp.ok).toBe(false);
    expect(english(steps.mcp.fix)).toMatch(/Chat still works/);
  });
});
