/**
 * MQTT credentials are kept like the token: the app core stores the OTA's `mqtt` section with
 * the profile's secrets (encrypted through the keystore), a restart connects to the broker with
 * them and no OTA round, and a broker that refuses them gets fresh ones from one OTA round.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import { loadMqttCredentials } from '../../../main/core/store/mqtt-credentials.ts';
import { SecretStore, type SecretCipher } from '../../../main/core/store/secrets.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { fakeSafeStorage } from '../../unit/store/fake-safe-storage.ts';

let server: ReferenceServer | null = null;
const cores: LumiCore[] = [];

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await server?.stop();
  server = null;
});

const PROFILE_ID = 'gateway';

/** One app run on `dataDir`: the OTA profile active, one typed turn, the transport it used. */
async function runOnce(dataDir: string, cipher: SecretCipher, otaUrl: string): Promise<string> {
  const core = await createAppCore({
    dataDir,
    appVersion: '0.1.0',
    platform: 'linux',
    secretCipher: cipher,
    plaintextSecrets: false,
    desktop: (app) => new NodeDesktopCapabilities({ app }),
    isWindowVisible: () => true,
    notify: () => undefined,
    chooseExportFile: (name) => Promise.resolve(join(dataDir, name)),
    holdToTalkAvailable: false,
    hotkeyProblems: () => [],
  });
  cores.push(core);
  const events: AppEvent[] = [];
  const ended = new Promise<void>((resolve) => {
    core.onEvent((event) => {
      events.push(event);
      if (event.type === 'turnEnded') resolve();
    });
  });
  const profile: ServerProfile = {
    id: PROFILE_ID,
    name: 'Gateway',
    endpoint: { kind: 'ota', url: otaUrl },
    dialect: 'xiaozhi',
    appHeartbeat: false,
    caFile: null,
    hasToken: false,
    activation: 'none',
  };
  const known = await core.handlers['profiles:list'](undefined);
  if (!known.some((p) => p.id === PROFILE_ID)) await core.handlers['profiles:save']({ profile });
  await core.handlers['profiles:activate']({ id: PROFILE_ID });
  await core.handlers['session:sendText']({ text: '你好' });
  await ended;
  await core.close();
  cores.splice(cores.indexOf(core), 1);
  const ready = events.find((e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
  return ready?.type === 'connectionChanged' && ready.next.kind === 'ready'
    ? ready.next.transport
    : 'never ready';
}

const storedUsername = (dataDir: string, cipher: SecretCipher): string | undefined =>
  loadMqttCredentials(new SecretStore({ dir: dataDir, cipher }), PROFILE_ID)?.mqtt.username;

describe('stored MQTT credentials', () => {
  it('a second start connects with the stored credentials and asks the OTA nothing', async () => {
    server = await startReferenceServer({ mcp: false, otaTransport: 'mqtt' });
    const dataDir = mkdtempSync(join(tmpdir(), 'lumi-mqtt-stored-'));
    const cipher = fakeSafeStorage();

    expect(await runOnce(dataDir, cipher, server.otaUrl)).toBe('mqtt');
    expect(server.otaRequests).toHaveLength(1);
    const issued = server.mqttConnections[0];
    expect(issued?.refusal).toBeNull();
    // Kept encrypted: neither the password nor the user name is readable in the file.
    const stored = loadMqttCredentials(new SecretStore({ dir: dataDir, cipher }), PROFILE_ID);
    expect(stored?.mqtt.username).toBe(issued?.username);
    const file = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
    expect(file).toContain('"mqtt"');
    expect(file).not.toContain(stored?.mqtt.password ?? 'no password');
    expect(file).not.toContain(issued?.username ?? 'no user name');
    expect(file).not.toContain(issued?.clientId ?? 'no client id');

    expect(await runOnce(dataDir, cipher, server.otaUrl)).toBe('mqtt');
    expect(server.otaRequests).toHaveLength(1);
    expect(server.mqttConnections).toHaveLength(2);
    expect(server.mqttConnections[1]).toMatchObject({
      username: issued?.username,
      clientId: issued?.clientId,
      refusal: null,
    });
  }, 30_000);

  it('stored credentials the broker refuses: one OTA round, then the fresh ones are kept', async () => {
    server = await startReferenceServer({ mcp: false, otaTransport: 'mqtt' });
    const dataDir = mkdtempSync(join(tmpdir(), 'lumi-mqtt-refused-'));
    const cipher = fakeSafeStorage();
    await runOnce(dataDir, cipher, server.otaUrl);
    const first = storedUsername(dataDir, cipher);
    expect(first).toBe(server.mqttConnections[0]?.username);

    // The broker now refuses every set issued so far (the stored one); the OTA's next works.
    server.setKnobs({ mqttRefusePassword: 'untilOta' });
    expect(await runOnce(dataDir, cipher, server.otaUrl)).toBe('mqtt');
    expect(server.otaRequests).toHaveLength(2);
    expect(server.mqttConnections.map((m) => m.refusal === null)).toEqual([true, false, true]);
    const fresh = storedUsername(dataDir, cipher);
    expect(fresh).toBe(server.mqttConnections[2]?.username);
    expect(fresh).not.toBe(first);
  }, 30_000);
});
