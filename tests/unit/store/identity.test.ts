import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  IDENTITIES_FILE,
  IdentityStore,
  primaryMac,
  randomMac,
  serialFromMac,
  type InterfaceLister,
} from '../../../main/core/store/identity.ts';
import { SecretStore } from '../../../main/core/store/secrets.ts';
import { fakeSafeStorage } from './fake-safe-storage.ts';

function nic(mac: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const base = { address: '10.0.0.2', netmask: '255.0.0.0', mac, internal, cidr: null };
  return family === 'IPv4' ? { ...base, family } : { ...base, family, scopeid: 0 };
}

const machine: InterfaceLister = () => ({
  lo: [nic('00:00:00:00:00:00', 'IPv4', true)],
  docker0: [nic('02:42:ac:11:00:01', 'IPv4')],
  wlan0: [nic('1C:DB:D4:C5:3D:F0', 'IPv4')],
  eth1: [nic('aa:aa:aa:aa:aa:01', 'IPv6')],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-identity-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('MAC helpers', () => {
  it('picks the primary physical interface, lowercased, skipping loopback and virtual ones', () => {
    expect(primaryMac(machine)).toBe('1c:db:d4:c5:3d:f0');
    expect(primaryMac(() => ({ lo: [nic('00:00:00:00:00:00', 'IPv4', true)] }))).toBeNull();
  });

  it('makes random MACs locally administered and unicast', () => {
    for (const first of [0x00, 0x01, 0xff, 0xfe]) {
      const mac = randomMac(Buffer.from([first, 1, 2, 3, 4, 5]));
      const octet = parseInt(mac.slice(0, 2), 16);
      expect(octet & 0b10).toBe(0b10);
      expect(octet & 0b1).toBe(0);
      expect(mac).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    }
  });

  it('derives the serial number from the MAC in py-xiaozhi format', () => {
    expect(serialFromMac('1c:db:d4:c5:3d:f0')).toMatch(/^SN-[0-9A-F]{8}-1cdbd4c53df0$/);
    expect(serialFromMac('1C:DB:D4:C5:3D:F0')).toBe(serialFromMac('1c:db:d4:c5:3d:f0'));
  });
});

describe('IdentityStore', () => {
  const secretsFor = (cipher = fakeSafeStorage()) => new SecretStore({ dir, cipher });

  it('keeps the same ids across restarts, even if the network changes', () => {
    const cipher = fakeSafeStorage();
    const first = new IdentityStore({ dir, secrets: secretsFor(cipher), interfaces: machine });
    const identity = first.ensure('home');
    const key = first.deviceKey('home');
    expect(identity.deviceId).toBe('1c:db:d4:c5:3d:f0');
    expect(identity.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(identity.serialNumber).toBe(serialFromMac(identity.deviceId));
    expect(key).toMatch(/^[0-9a-f]{64}$/);

    const otherNetwork: InterfaceLister = () => ({ eth0: [nic('02:00:00:00:00:09', 'IPv4')] });
    const second = new IdentityStore({
      dir,
      secrets: secretsFor(cipher),
      interfaces: otherNetwork,
    });
    expect(second.ensure('home')).toEqual(identity);
    expect(second.deviceKey('home')).toBe(key);
  });

  it('gives each profile its own Client-Id and key', () => {
    const store = new IdentityStore({ dir, secrets: secretsFor(), interfaces: machine });
    const a = store.ensure('a');
    const b = store.ensure('b', 'random');
    expect(a.clientId).not.toBe(b.clientId);
    expect(b.deviceId).not.toBe(a.deviceId);
    expect(store.deviceKey('a')).not.toBe(store.deviceKey('b'));
  });

  it('falls back to a random MAC when the machine has no usable interface', () => {
    const store = new IdentityStore({ dir, secrets: secretsFor(), interfaces: () => ({}) });
    const mac = store.ensure('home').deviceId;
    expect(parseInt(mac.slice(0, 2), 16) & 0b10).toBe(0b10);
  });

  it('does not write the device key into identities.json', () => {
    const store = new IdentityStore({ dir, secrets: secretsFor(), interfaces: machine });
    store.ensure('home');
    const key = store.deviceKey('home');
    expect(readFileSync(join(dir, IDENTITIES_FILE), 'utf8')).not.toContain(key);
  });

  it('forgets identity and key of a removed profile', () => {
    const secrets = secretsFor();
    const store = new IdentityStore({ dir, secrets, interfaces: machine });
    const before = store.ensure('home');
    store.deviceKey('home');
    store.remove('home');
    expect(store.get('home')).toBeNull();
    expect(secrets.has('home', 'deviceKey')).toBe(false);
    expect(store.ensure('home').clientId).not.toBe(before.clientId);
  });

  it('moves a damaged identities file aside and reports it', () => {
    writeFileSync(
      join(dir, IDENTITIES_FILE),
      '{"version":1,"profiles":{"home":{"deviceId":"zz"}}}',
    );
    const store = new IdentityStore({ dir, secrets: secretsFor(), interfaces: machine });
    expect(store.recovery).toMatchObject({ recovered: true, reason: 'schemaInvalid' });
    expect(store.get('home')).toBeNull();
  });
});
