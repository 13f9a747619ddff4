import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerProfile } from '../../../shared/settings.ts';
import { IdentityStore, type InterfaceLister } from '../../../main/core/store/identity.ts';
import {
  exportProfiles,
  ImportError,
  importProfiles,
} from '../../../main/core/store/profile-transfer.ts';
import { newProfileId, ProfileStore } from '../../../main/core/store/profiles.ts';
import type { StoredMqtt } from '../../../main/core/store/mqtt-credentials.ts';
import { SECRETS_FILE, SecretStore } from '../../../main/core/store/secrets.ts';
import { presetEndpoint, PresetError } from '../../../main/core/store/server-presets.ts';
import { openSettings } from '../../../main/core/store/settings.ts';
import { fakeSafeStorage } from './fake-safe-storage.ts';

const TOKEN = 'Zk3nP0q9wXv8s7T6u5R4e3W2q1A0b9C8d7E6f5G4h3I.1745249872';
const interfaces: InterfaceLister = () => ({
  eth0: [
    {
      address: '10.0.0.2',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '1c:db:d4:c5:3d:f0',
      internal: false,
      cidr: null,
    },
  ],
});

function draft(name: string, url: string): ServerProfile {
  return {
    id: '',
    name,
    endpoint: { kind: 'ota', url },
    dialect: 'xiaozhi',
    appHeartbeat: false,
    caFile: null,
    hasToken: false,
    activation: 'none',
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-profiles-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function open(where = dir, cipher = fakeSafeStorage()) {
  const settings = openSettings({ cwd: where }).store;
  const secrets = new SecretStore({ dir: where, cipher });
  const identities = new IdentityStore({ dir: where, secrets, interfaces });
  const profiles = new ProfileStore({ settings, secrets, identities });
  return { settings, secrets, identities, profiles };
}

describe('presets', () => {
  it('fill in the self-hosted xiaozhi-esp32-server addresses from a host', () => {
    expect(presetEndpoint('xs-simple', '192.168.1.5')).toEqual({
      kind: 'ota',
      url: 'http://192.168.1.5:8003/xiaozhi/ota/',
    });
    expect(presetEndpoint('xs-control-panel', 'nas.local')).toEqual({
      kind: 'ota',
      url: 'http://nas.local:8002/xiaozhi/ota/',
    });
    expect(presetEndpoint('xs-direct', 'http://10.0.0.9/whatever')).toEqual({
      kind: 'websocket',
      url: 'ws://10.0.0.9:8000/xiaozhi/v1/',
    });
    expect(presetEndpoint('xs-simple', 'box:9003').url).toBe('http://box:9003/xiaozhi/ota/');
    expect(() => presetEndpoint('xs-simple', 'not a host')).toThrow(PresetError);
  });
});

describe('ProfileStore', () => {
  it('adds profiles under readable unique ids and switches the active one', () => {
    const { profiles, settings } = open();
    const home = profiles.save(draft('Home NAS', 'http://192.168.1.5:8003/xiaozhi/ota/'));
    const again = profiles.save(draft('Home NAS', 'http://192.168.1.6:8003/xiaozhi/ota/'));
    expect([home.id, again.id]).toEqual(['home-nas', 'home-nas-2']);
    expect(profiles.active().id).toBe('xiaozhi-me');
    profiles.activate(home.id);
    expect(profiles.active().id).toBe('home-nas');
    expect(open().profiles.active().id).toBe('home-nas');
    expect(() => profiles.activate('missing')).toThrow(/no profile/);
    expect(settings.settings().activeProfileId).toBe('home-nas');
  });

  it('reports hasToken but never the token itself', () => {
    const { profiles } = open();
    const home = profiles.save(draft('Home', 'http://h:8003/xiaozhi/ota/'), TOKEN);
    expect(home.hasToken).toBe(true);
    expect(profiles.token(home.id)).toBe(TOKEN);
    expect(JSON.stringify(profiles.list())).not.toContain(TOKEN);
    profiles.setToken(home.id, '');
    expect(profiles.get(home.id).hasToken).toBe(false);
  });

  it('starts activation over and drops the token when the endpoint changes', () => {
    const { profiles } = open();
    const home = profiles.save(draft('Home', 'http://h:8002/xiaozhi/ota/'), TOKEN);
    profiles.setActivation(home.id, 'activated');
    const renamed = profiles.save({ ...profiles.get(home.id), name: 'Home 2' });
    expect(renamed).toMatchObject({ activation: 'activated', hasToken: true, name: 'Home 2' });
    const moved = profiles.save({
      ...renamed,
      endpoint: { kind: 'ota', url: 'http://other:8002/xiaozhi/ota/' },
    });
    expect(moved).toMatchObject({ id: home.id, activation: 'none', hasToken: false });
  });

  it("keeps the OTA's MQTT answer encrypted and forgets it when the endpoint changes", () => {
    const cipher = fakeSafeStorage();
    const { profiles } = open(dir, cipher);
    const home = profiles.save(draft('Home', 'http://h:8003/xiaozhi/ota/'));
    const stored: StoredMqtt = {
      otaUrl: 'http://h:8003/xiaozhi/ota/',
      mqtt: {
        host: 'fd00::5',
        port: 1883,
        tls: false,
        clientId: 'GID_lumi@@@1c_db_d4_c5_3d_f0@@@1c_db_d4_c5_3d_f0',
        username: 'eyJpcCI6IjEwLjAuMC4yIn0=',
        password: 'hmac-password',
        publishTopic: 'device-server',
        subscribeTopic: 'devices/p2p/1c_db_d4_c5_3d_f0',
        keepaliveSeconds: 240,
      },
      websocket: { url: 'ws://h:8000/xiaozhi/v1/', protocolVersion: 1 },
    };
    expect(profiles.setMqttCredentials(home.id, stored)?.persisted).toBe(true);
    expect(readFileSync(join(dir, SECRETS_FILE), 'utf8')).not.toContain('hmac-password');
    expect(open(dir, cipher).profiles.mqttCredentials(home.id)).toEqual(stored);
    profiles.save({ ...profiles.get(home.id), endpoint: { kind: 'ota', url: 'http://x/ota/' } });
    expect(profiles.mqttCredentials(home.id)).toBeNull();
  });

  it('rejects an invalid profile with a plain message', () => {
    const { profiles } = open();
    expect(() => profiles.save(draft('Bad', 'ftp://x/'))).toThrow(/Invalid profile: endpoint/);
  });

  it('removes a profile with its identity and secrets, but never the last one', () => {
    const { profiles, identities, secrets } = open();
    const home = profiles.save(draft('Home', 'http://h:8003/xiaozhi/ota/'), TOKEN);
    identities.ensure(home.id);
    identities.deviceKey(home.id);
    profiles.activate(home.id);
    profiles.remove(home.id);
    expect(profiles.active().id).toBe('xiaozhi-me');
    expect(identities.get(home.id)).toBeNull();
    expect(secrets.has(home.id, 'token')).toBe(false);
    expect(secrets.has(home.id, 'deviceKey')).toBe(false);
    expect(() => profiles.remove('xiaozhi-me')).toThrow(/last profile/);
  });

  it('makes ids from any name', () => {
    expect(newProfileId('小智 家里', new Set())).toBe('server');
    expect(newProfileId('Café Server!', new Set(['cafe-server']))).toBe('cafe-server-2');
  });
});

describe('profile import and export', () => {
  it('exports without identity, token or key unless asked, and resets activation', () => {
    const source = open();
    const home = source.profiles.save(draft('Home', 'http://h:8002/xiaozhi/ota/'), TOKEN);
    source.identities.ensure(home.id);
    const key = source.identities.deviceKey(home.id);
    source.profiles.setActivation(home.id, 'activated');

    const plain = exportProfiles(source, { now: 1 });
    expect(plain).not.toContain(TOKEN);
    expect(plain).not.toContain(key);
    expect(plain).not.toContain('1c:db:d4:c5:3d:f0');
    expect(plain).not.toContain('activated');

    const targetDir = mkdtempSync(join(tmpdir(), 'lumi-profiles-target-'));
    try {
      const target = open(targetDir);
      const { imported } = importProfiles(target, plain);
      expect(imported.map((profile) => profile.id)).toEqual(['xiaozhi-me-2', 'home']);
      expect(imported[1]).toMatchObject({ hasToken: false, activation: 'none' });
      expect(target.identities.get('home')).toBeNull();
    } finally {
      rmSync(targetDir, { recursive: true, force: true });
    }
  });

  it('carries identity, token, key and activation when secrets are included', () => {
    const source = open();
    const home = source.profiles.save(draft('Home', 'http://h:8002/xiaozhi/ota/'), TOKEN);
    const identity = source.identities.ensure(home.id);
    const key = source.identities.deviceKey(home.id);
    source.profiles.setActivation(home.id, 'activated');
    const full = exportProfiles(source, { now: 1, includeSecrets: true, ids: [home.id] });

    const targetDir = mkdtempSync(join(tmpdir(), 'lumi-profiles-target-'));
    try {
      const target = open(targetDir, fakeSafeStorage());
      const [imported] = importProfiles(target, full).imported;
      expect(imported).toMatchObject({ id: 'home', hasToken: true, activation: 'activated' });
      expect(target.identities.get('home')).toEqual(identity);
      expect(target.identities.deviceKey('home')).toBe(key);
      expect(target.profiles.token('home')).toBe(TOKEN);
    } finally {
      rmSync(targetDir, { recursive: true, force: true });
    }
  });

  it('refuses files that are not an export', () => {
    const { profiles, identities, secrets } = open();
    expect(() => importProfiles({ profiles, identities, secrets }, '{')).toThrow(ImportError);
    expect(() => importProfiles({ profiles, identities, secrets }, '{"format":"x"}')).toThrow(
      /not a Lumi profiles export/,
    );
  });
});
