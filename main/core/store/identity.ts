/**
 * The device identity Lumi shows a server, one per profile, made the way the firmware's is
 * (docs/protocol.md §1.2, §7.4): a MAC-shaped Device-Id, a UUID Client-Id, a serial number and a
 * per-device HMAC key for activation. It is generated once and never changed, because
 * xiaozhi-esp32-server binds the token it issues to this Client-Id + Device-Id pair (§1.3,
 * §8.10) and the consoles bind the activation to the MAC.
 *
 * The public parts live in `identities.json`; the HMAC key is a secret and lives in the
 * SecretStore.
 */
import { nodeCrypto, randomUUID } from '../util/crypto.ts';
import { existsSync, readFileSync } from 'node:fs';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import * as z from '../util/zod.ts';
import { systemClock, type Clock } from '../util/clock.ts';
import { moveAside, NOT_RECOVERED, writeFileAtomic, type Recovery } from './safe-file.ts';
import type { SecretStore } from './secrets.ts';

export interface DeviceIdentity {
  /** Lowercase, colon-separated MAC, e.g. `1c:db:d4:c5:3d:f0`. */
  readonly deviceId: string;
  /** UUID v4, sent as Client-Id and as `uuid` in the OTA body. */
  readonly clientId: string;
  /** `SN-<8 hex of MD5(mac)>-<mac hex>`, the format py-xiaozhi uses (docs/protocol.md §7.4). */
  readonly serialNumber: string;
  readonly createdAt: number;
}

/** `machine`: the computer's own MAC (what py-xiaozhi sends); `random`: a made-up one. */
export type MacSource = 'machine' | 'random';

export const IDENTITIES_FILE = 'identities.json';
const DEVICE_KEY_BYTES = 32;
const MAC_PATTERN = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;

/** Virtual adapters whose MACs are not the machine's own and may change between boots. */
const VIRTUAL_INTERFACE =
  /^(?:lo|docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|zt|utun|awdl|llw|bridge|gif|stf)/i;

/** What `identities.json` holds per profile (also checks identities brought in by an import). */
export const DeviceIdentitySchema = z.object({
  deviceId: z.string().check(z.regex(MAC_PATTERN)),
  clientId: z.uuid(),
  serialNumber: z.string().check(z.startsWith('SN-')),
  createdAt: z.number(),
});
const IdentitiesFileSchema = z.object({
  version: z.literal(1),
  profiles: z.record(z.string(), DeviceIdentitySchema),
});
type IdentitiesFile = z.infer<typeof IdentitiesFileSchema>;

export type InterfaceLister = () => NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The MAC of the machine's primary network interface: the first non-internal, non-virtual
 * interface (by name, for a stable choice) that has an address, preferring one with IPv4.
 * Null when there is none.
 */
export function primaryMac(list: InterfaceLister = networkInterfaces): string | null {
  const candidates = Object.entries(list())
    .filter(([name]) => !VIRTUAL_INTERFACE.test(name))
    .map(([name, infos]) => ({ name, infos: (infos ?? []).filter((info) => !info.internal) }))
    .filter(({ infos }) => infos.some((info) => info.mac !== '00:00:00:00:00:00'))
    .sort((a, b) => {
      const aV4 = a.infos.some((info) => info.family === 'IPv4') ? 0 : 1;
      const bV4 = b.infos.some((info) => info.family === 'IPv4') ? 0 : 1;
      return aV4 - bV4 || a.name.localeCompare(b.name);
    });
  const mac = candidates[0]?.infos.find((info) => info.mac !== '00:00:00:00:00:00')?.mac;
  return mac === undefined ? null : mac.toLowerCase();
}

/**
 * A random locally-administered unicast MAC: bit 1 of the first octet set (local), bit 0
 * cleared (unicast), so it can never collide with a vendor-assigned address.
 */
export function randomMac(bytes: Buffer = nodeCrypto().randomBytes(6)): string {
  const octets = [...bytes.subarray(0, 6)];
  octets[0] = ((octets[0] ?? 0) | 0b10) & 0b1111_1110;
  return octets.map((octet) => octet.toString(16).padStart(2, '0')).join(':');
}

/** The serial number derived from a MAC, in py-xiaozhi's format. */
export function serialFromMac(mac: string): string {
  const bare = mac.toLowerCase().replaceAll(':', '');
  const hash = nodeCrypto().createHash('md5').update(bare).digest('hex').slice(0, 8).toUpperCase();
  return `SN-${hash}-${bare}`;
}

export interface IdentityStoreOptions {
  /** Folder of `identities.json`. */
  readonly dir: string;
  /** Holds the per-profile HMAC keys. */
  readonly secrets: SecretStore;
  readonly interfaces?: InterfaceLister;
  readonly clock?: Clock;
}

/** Per-profile device identities, created on first use and kept forever. */
export class IdentityStore {
  readonly #path: string;
  readonly #secrets: SecretStore;
  readonly #interfaces: InterfaceLister;
  readonly #clock: Clock;
  #data: IdentitiesFile;
  /** Set when the file was damaged and moved aside at open. */
  readonly recovery: Recovery;

  constructor(options: IdentityStoreOptions) {
    this.#path = join(options.dir, IDENTITIES_FILE);
    this.#secrets = options.secrets;
    this.#interfaces = options.interfaces ?? networkInterfaces;
    this.#clock = options.clock ?? systemClock;
    const loaded = this.#load();
    this.#data = loaded.data;
    this.recovery = loaded.recovery;
  }

  #load(): { data: IdentitiesFile; recovery: Recovery } {
    const empty: IdentitiesFile = { version: 1, profiles: {} };
    if (!existsSync(this.#path)) return { data: empty, recovery: NOT_RECOVERED };
    const text = readFileSync(this.#path, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      const movedTo = moveAside(this.#path, this.#clock.now());
      return {
        data: empty,
        recovery: { recovered: true, movedTo, reason: 'corruptJson', detail: String(error) },
      };
    }
    const result = IdentitiesFileSchema.safeParse(parsed);
    if (result.success) return { data: result.data, recovery: NOT_RECOVERED };
    const movedTo = moveAside(this.#path, this.#clock.now());
    return {
      data: empty,
      recovery: {
        recovered: true,
        movedTo,
        reason: 'schemaInvalid',
        detail: result.error.issues.map((issue) => issue.message).join('; '),
      },
    };
  }

  #save(): void {
    writeFileAtomic(this.#path, `${JSON.stringify(this.#data, null, 2)}\n`);
  }

  /** The profile's identity, or null if none was made yet. */
  get(profileId: string): DeviceIdentity | null {
    return this.#data.profiles[profileId] ?? null;
  }

  /**
   * The profile's identity, created and persisted on first call. `macSource` only matters then:
   * `random` (or a machine without a usable interface) gives a locally-administered MAC.
   */
  ensure(profileId: string, macSource: MacSource = 'machine'): DeviceIdentity {
    const existing = this.get(profileId);
    if (existing) return existing;
    const mac = (macSource === 'machine' ? primaryMac(this.#interfaces) : null) ?? randomMac();
    const identity: DeviceIdentity = {
      deviceId: mac,
      clientId: randomUUID(),
      serialNumber: serialFromMac(mac),
      createdAt: this.#clock.now(),
    };
    this.#data = { ...this.#data, profiles: { ...this.#data.profiles, [profileId]: identity } };
    this.#save();
    return identity;
  }

  /** Adopt an identity brought in by a profile import (with secrets), replacing none. */
  adopt(profileId: string, identity: DeviceIdentity): void {
    if (this.get(profileId)) throw new Error(`profile ${profileId} already has an identity`);
    const checked = DeviceIdentitySchema.parse(identity);
    this.#data = { ...this.#data, profiles: { ...this.#data.profiles, [profileId]: checked } };
    this.#save();
  }

  /**
   * The profile's HMAC key (64 hex characters), created on first use. It persists when the
   * secret store may persist; otherwise it lives for this session only, which activation
   * tolerates: the consoles bind by MAC and code and never check the HMAC (docs/protocol.md §7.3).
   */
  deviceKey(profileId: string): string {
    const stored = this.#secrets.get(profileId, 'deviceKey');
    if (stored !== null) return stored;
    const key = nodeCrypto().randomBytes(DEVICE_KEY_BYTES).toString('hex');
    this.#secrets.set(profileId, 'deviceKey', key);
    return key;
  }

  /** Forget the profile's identity and key (the profile was removed). */
  remove(profileId: string): void {
    this.#secrets.delete(profileId, 'deviceKey');
    if (!this.get(profileId)) return;
    const profiles = Object.fromEntries(
      Object.entries(this.#data.profiles).filter(([id]) => id !== profileId),
    );
    this.#data = { ...this.#data, profiles };
    this.#save();
  }
}
