import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSettings, SettingsError } from '../../../main/core/store/settings.ts';
import {
  DEFAULT_SETTINGS,
  MIGRATED_PROFILE_ID,
  SETTINGS_FORMAT_VERSION,
  type StoredSettings,
} from '../../../main/core/store/settings-schema.ts';
import { OFFICIAL_OTA_URL } from '../../../main/core/store/server-presets.ts';
import type { Clock } from '../../../main/core/util/clock.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lumi-settings-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const settingsPath = () => join(dir, 'settings.json');
const clock: Clock = {
  now: () => Date.UTC(2026, 10, 21, 8, 30, 0),
  setTimeout: () => ({ id: 0 }),
  clearTimeout: () => undefined,
};

describe('openSettings', () => {
  it('starts with defaults: the xiaozhi.me profile through the official OTA', () => {
    const { store, recovery } = openSettings({ cwd: dir });
    expect(recovery).toEqual({ recovered: false });
    expect(store.settings()).toEqual(DEFAULT_SETTINGS);
    expect(store.profiles()).toEqual([
      expect.objectContaining({
        id: 'xiaozhi-me',
        endpoint: { kind: 'ota', url: OFFICIAL_OTA_URL },
        activation: 'none',
      }),
    ]);
  });

  it('persists updates and reads them back', () => {
    openSettings({ cwd: dir }).store.update({ volume: 35, language: 'zh-CN' });
    const { store } = openSettings({ cwd: dir });
    expect(store.settings().volume).toBe(35);
    expect(store.settings().language).toBe('zh-CN');
  });

  it('refuses invalid patches and unknown keys without writing', () => {
    const { store } = openSettings({ cwd: dir });
    store.update({ volume: 50 });
    const before = readFileSync(settingsPath(), 'utf8');
    expect(() => store.update({ volume: 101 })).toThrow(SettingsError);
    expect(() => store.update({ frameDurationMs: 30 as 20 })).toThrow(/frameDurationMs/);
    expect(() => store.update({ profiles: [] } as never)).toThrow(/Unknown setting/);
    expect(() => store.update({ activeProfileId: 'nope' })).toThrow(/no profile/);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(before);
  });

  it('moves a corrupt JSON file aside, loads defaults and says where the file went', () => {
    writeFileSync(settingsPath(), '{"volume": 40, "profiles": [');
    const { store, recovery } = openSettings({ cwd: dir, clock });
    expect(recovery).toMatchObject({ recovered: true, reason: 'corruptJson' });
    if (!recovery.recovered) return;
    expect(recovery.movedTo).toBe(join(dir, 'settings.corrupt-2026-11-21T08-30-00-000Z.json'));
    expect(readFileSync(recovery.movedTo, 'utf8')).toBe('{"volume": 40, "profiles": [');
    expect(store.settings()).toEqual(DEFAULT_SETTINGS);
  });

  it('moves a schema-invalid file aside untouched and loads defaults', () => {
    openSettings({ cwd: dir }).store.update({ volume: 20 });
    const valid = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    const invalid = JSON.stringify({ ...valid, volume: 'loud' });
    writeFileSync(settingsPath(), invalid);
    const { store, recovery } = openSettings({ cwd: dir, clock });
    expect(recovery).toMatchObject({ recovered: true, reason: 'schemaInvalid' });
    if (!recovery.recovered) return;
    expect(readFileSync(recovery.movedTo, 'utf8')).toBe(invalid);
    expect(store.settings().volume).toBe(DEFAULT_SETTINGS.volume);
    expect(readdirSync(dir).filter((name) => name.includes('corrupt'))).toHaveLength(1);
  });

  it('moves a 1.x file the migration cannot make valid aside as it was found', () => {
    const legacy = JSON.stringify({ serverUrl: 'ws://10.0.0.2:8000/xiaozhi/v1/', cues: 'yes' });
    writeFileSync(settingsPath(), legacy);
    const { store, recovery } = openSettings({ cwd: dir, clock });
    expect(recovery).toMatchObject({ recovered: true, reason: 'schemaInvalid' });
    if (!recovery.recovered) return;
    expect(recovery.detail).toContain('cues');
    expect(readFileSync(recovery.movedTo, 'utf8')).toBe(legacy);
    expect(store.settings()).toEqual(DEFAULT_SETTINGS);
  });

  it('refuses a profile list the schema rejects and writes nothing', () => {
    const { store } = openSettings({ cwd: dir });
    const before = readFileSync(settingsPath(), 'utf8');
    const [profile] = store.profiles();
    if (!profile) throw new Error('no default profile');
    const broken = {
      ...profile,
      id: 'bad',
      endpoint: { kind: 'websocket' as const, url: 'ftp://x' },
    };
    expect(() => store.writeProfiles([profile, broken], profile.id)).toThrow(
      /Invalid profile: 1\.endpoint\.url/,
    );
    expect(() => store.writeProfiles([], profile.id)).toThrow(SettingsError);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(before);
  });

  it('moves aside a file whose profiles share an id', () => {
    openSettings({ cwd: dir });
    const data = JSON.parse(readFileSync(settingsPath(), 'utf8')) as StoredSettings;
    const profile = data.profiles[0];
    writeFileSync(settingsPath(), JSON.stringify({ ...data, profiles: [profile, profile] }));
    expect(openSettings({ cwd: dir, clock }).recovery).toMatchObject({ recovered: true });
  });

  it('re-points a dangling active profile instead of discarding the file', () => {
    openSettings({ cwd: dir }).store.update({ volume: 12 });
    const data = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath(), JSON.stringify({ ...data, activeProfileId: 'gone' }));
    const { store, recovery } = openSettings({ cwd: dir });
    expect(recovery.recovered).toBe(false);
    expect(store.settings().activeProfileId).toBe('xiaozhi-me');
    expect(store.settings().volume).toBe(12);
  });
});

describe('settings file format', () => {
  it('reads and writes the format conf and electron-store use, and leaves a current file alone', () => {
    openSettings({ cwd: dir }).store.update({ volume: 33 });
    const text = readFileSync(settingsPath(), 'utf8');
    expect(text).toMatch(/^\{\n\t"activeProfileId"/);
    const file = JSON.parse(text) as { __internal__: { migrations: { version: string } } };
    expect(file.__internal__.migrations.version).toBe(SETTINGS_FORMAT_VERSION);
    const { store } = openSettings({ cwd: dir });
    expect(store.settings().volume).toBe(33);
    expect(readFileSync(settingsPath(), 'utf8')).toBe(text);
  });

  it('keeps keys it does not know (written by a later build)', () => {
    openSettings({ cwd: dir });
    const data = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    writeFileSync(settingsPath(), JSON.stringify({ ...data, futureKey: [1, 2] }));
    openSettings({ cwd: dir }).store.update({ volume: 7 });
    const after = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    expect(after['futureKey']).toEqual([1, 2]);
    expect(after['volume']).toBe(7);
  });
});

describe('settings migration 1.x → 2.0.0', () => {
  it('turns the single server into the active profile and hands the token to the secret store', () => {
    writeFileSync(
      settingsPath(),
      JSON.stringify({
        serverUrl: 'http://192.168.1.5:8003/xiaozhi/ota/',
        token: 'legacy-plaintext-token',
        volume: 0.35,
        cues: false,
      }),
    );
    const tokens: [string, string][] = [];
    const { store, recovery } = openSettings({
      cwd: dir,
      onLegacyToken: (profileId, token) => tokens.push([profileId, token]),
    });
    expect(recovery.recovered).toBe(false);
    expect(tokens).toEqual([[MIGRATED_PROFILE_ID, 'legacy-plaintext-token']]);
    const settings = store.settings();
    expect(settings.activeProfileId).toBe(MIGRATED_PROFILE_ID);
    expect(settings.volume).toBe(35);
    expect(settings.cues).toBe(false);
    expect(store.profiles().map((profile) => [profile.id, profile.endpoint])).toEqual([
      [MIGRATED_PROFILE_ID, { kind: 'ota', url: 'http://192.168.1.5:8003/xiaozhi/ota/' }],
      ['xiaozhi-me', { kind: 'ota', url: OFFICIAL_OTA_URL }],
    ]);
    const text = readFileSync(settingsPath(), 'utf8');
    expect(text).not.toContain('legacy-plaintext-token');
    expect(text).not.toContain('serverUrl');
    const file = JSON.parse(text) as { __internal__: { migrations: { version: string } } };
    expect(file.__internal__.migrations.version).toBe(SETTINGS_FORMAT_VERSION);
  });

  it('maps a ws:// server to a direct WebSocket profile', () => {
    writeFileSync(settingsPath(), JSON.stringify({ serverUrl: 'ws://nas.local:8000/xiaozhi/v1/' }));
    const { store } = openSettings({ cwd: dir });
    expect(store.profiles()[0]).toMatchObject({
      id: MIGRATED_PROFILE_ID,
      name: 'nas.local:8000',
      endpoint: { kind: 'websocket', url: 'ws://nas.local:8000/xiaozhi/v1/' },
    });
  });

  it('runs once: a migrated file is not migrated again', () => {
    writeFileSync(settingsPath(), JSON.stringify({ serverUrl: 'ws://a:8000/', volume: 0.5 }));
    openSettings({ cwd: dir }).store.update({ volume: 1 });
    expect(openSettings({ cwd: dir }).store.settings().volume).toBe(1);
  });

  it('does not run for a new file', () => {
    openSettings({ cwd: dir });
    expect(existsSync(settingsPath())).toBe(true);
    const file = JSON.parse(readFileSync(settingsPath(), 'utf8')) as Record<string, unknown>;
    expect(file['serverUrl']).toBeUndefined();
  });
});
