/**
 * The app core behind the window (what the Electron main and the browser preview wire), driven
 * through its IPC handlers against the reference server: turns reach the history, OTA profiles
 * activate, the keystore policy asks before storing, tools ask through the window, profiles
 * move in and out.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import { appControlsFor } from '../../../main/core/app/app-controls.ts';
import { createAppCore, type LumiCore } from '../../../main/core/app/create-app-core.ts';
import { SECRETS_EXPORT_NAME } from '../../../main/core/app/handlers/profiles.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import type { SecretCipher } from '../../../main/core/store/secrets.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';

let server: ReferenceServer | null = null;
const cores: LumiCore[] = [];

afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
  await server?.stop();
  server = null;
});

/** Electron's safeStorage on a Linux desktop without a keyring: "encrypts" with a known key. */
const basicTextCipher: SecretCipher = {
  isEncryptionAvailable: () => true,
  backend: () => 'basic_text',
  encrypt: (plain) => new TextEncoder().encode(`v10${plain}`),
  decrypt: (data) => new TextDecoder().decode(data).slice(3),
};

async function startCore(options: { webSocketUrl?: string; cipher?: SecretCipher | null } = {}) {
  const events: AppEvent[] = [];
  const notifications: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'lumi-core-'));
  const core = await createAppCore({
    dataDir,
    appVersion: '0.1.0',
    platform: 'linux',
    secretCipher: options.cipher ?? null,
    plaintextSecrets: options.cipher === undefined,
    desktop: (app) => new NodeDesktopCapabilities({ app }),
    isWindowVisible: () => true,
    notify: (title, body) => notifications.push(`${title}: ${body}`),
    chooseExportFile: (name) => Promise.resolve(join(dataDir, name)),
    holdToTalkAvailable: false,
    hotkeyProblems: () => [],
    ...(options.webSocketUrl ? { webSocketUrl: options.webSocketUrl } : {}),
  });
  cores.push(core);
  core.onEvent((event) => events.push(event));
  return { core, events, dataDir, notifications };
}

function waitFor(
  events: AppEvent[],
  core: LumiCore,
  accept: (e: AppEvent) => boolean,
  ms = 10_000,
): Promise<AppEvent> {
  const found = events.find(accept);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('event not seen in time')), ms);
    const off = core.onEvent((event) => {
      if (!accept(event)) return;
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

describe('app core', () => {
  it('answers the snapshot, runs a typed turn and keeps it in the history', async () => {
    server = await startReferenceServer({ mcp: false });
    const { core, events } = await startCore({ webSocketUrl: server.url });
    const snapshot = await core.handlers['app:ready'](undefined);
    expect(snapshot.connection.kind).toBe('initial');
    expect(snapshot.profiles.find((p) => p.id === 'preview')?.endpoint).toEqual({
      kind: 'websocket',
      url: server.url,
    });
    expect(snapshot.secretsConsent).toBeNull();

    const item = await core.handlers['session:sendText']({ text: '你好呀' });
    expect(item.status).toBe('queued');
    await waitFor(events, core, (e) => e.type === 'turnEnded');
    const page = await core.handlers['history:page']({ before: null, limit: 10 });
    const texts = page.messages.map((m) => `${m.role}:${m.text}`);
    expect(texts[0]).toBe('user:你好呀');
    expect(texts.some((t) => t.startsWith('assistant:') && t.includes('你好呀'))).toBe(true);
    const found = await core.handlers['history:search']({ query: '你好', limit: 10 });
    expect(found.length).toBeGreaterThanOrEqual(2);
  });

  it('turns a server alert into a system line and a notification', async () => {
    server = await startReferenceServer({ mcp: false });
    const { core, events, notifications } = await startCore({ webSocketUrl: server.url });
    await core.handlers['session:connect'](undefined);
    await waitFor(events, core, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
    server.push({ type: 'alert', status: 'ERROR', message: '设备未绑定', emotion: 'sad' });
    const line = await waitFor(
      events,
      core,
      (e) => e.type === 'messageUpserted' && e.message.systemKind === 'alert',
    );
    expect(line.type === 'messageUpserted' && line.message.text).toBe('ERROR: 设备未绑定');
    expect(notifications).toContain('ERROR: 设备未绑定');
  });

  it('activates an OTA profile: the code is shown, the profile goes pending, then activated', async () => {
    server = await startReferenceServer({
      token: 'unused',
      activation: true,
      autoApproveAfterPolls: 1,
      mcp: false,
    });
    const { core, events } = await startCore();
    const profile: ServerProfile = {
      id: 'local',
      name: 'Local',
      endpoint: { kind: 'ota', url: server.otaUrl },
      dialect: 'xiaozhi',
      appHeartbeat: false,
      caFile: null,
      hasToken: false,
      activation: 'none',
    };
    await core.handlers['profiles:save']({ profile });
    await core.handlers['profiles:activate']({ id: 'local' });
    await core.handlers['session:connect'](undefined);
    const prompt = await waitFor(events, core, (e) => e.type === 'activationRequired');
    expect(prompt.type === 'activationRequired' && prompt.code).toMatch(/^\d{6}$/);
    await waitFor(
      events,
      core,
      (e) => e.type === 'connectionChanged' && e.next.kind === 'ready',
      20_000,
    );
    const profiles = await core.handlers['profiles:list'](undefined);
    expect(profiles.find((p) => p.id === 'local')).toMatchObject({
      activation: 'activated',
      hasToken: true,
    });
  }, 30_000);

  it('asks before storing a token on a keystore that does not encrypt, and stores it after yes', async () => {
    const { core, events, dataDir } = await startCore({ cipher: basicTextCipher });
    const before = await core.handlers['app:ready'](undefined);
    expect(before.secretsConsent).toBe('plaintextBackend');
    const [first] = await core.handlers['profiles:list'](undefined);
    await core.handlers['profiles:save']({ profile: first!, token: 'tok-123' });
    expect(events.some((e) => e.type === 'secretsConsentRequired')).toBe(true);
    const { readFileSync, existsSync } = await import('node:fs');
    const secretsFile = join(dataDir, 'secrets.json');
    const stored = () => (existsSync(secretsFile) ? readFileSync(secretsFile, 'utf8') : '');
    expect(stored()).not.toContain('tok-123');
    await core.handlers['secrets:allowStoring'](undefined);
    expect(stored()).not.toBe('');
    expect((await core.handlers['app:ready'](undefined)).secretsConsent).toBeNull();
  });

  it('exports profiles without secrets to the window, with secrets only to a file, and imports them back', async () => {
    const { core, dataDir } = await startCore();
    const [first] = await core.handlers['profiles:list'](undefined);
    await core.handlers['profiles:save']({ profile: first!, token: 'secret-token-xyz' });
    const plain = await core.handlers['profiles:export'](undefined);
    expect(plain).not.toContain('secret-token-xyz');
    const full = await core.handlers['profiles:exportSecrets'](undefined);
    expect(full).toEqual({ saved: true, path: join(dataDir, SECRETS_EXPORT_NAME) });
    expect(JSON.stringify(full)).not.toContain('secret-token-xyz');
    const { readFileSync, statSync } = await import('node:fs');
    expect(readFileSync(join(dataDir, SECRETS_EXPORT_NAME), 'utf8')).toContain('secret-token-xyz');
    expect(statSync(join(dataDir, SECRETS_EXPORT_NAME)).mode & 0o777).toBe(0o600);

    const other = await startCore();
    const imported = await other.core.handlers['profiles:import']({ json: plain });
    expect(imported.map((p) => p.name)).toContain(first!.name);
    await expect(
      other.core.handlers['profiles:import']({ json: '{"nope":1}' }),
    ).rejects.toMatchObject({
      code: 'invalid',
    });
  });

  it('asks the window before an "ask" tool runs, and runs it on Allow', async () => {
    server = await startReferenceServer();
    const { core, events } = await startCore({ webSocketUrl: server.url });
    await core.handlers['session:connect'](undefined);
    await server.waitForTools();
    const call = server.callTool('self.system.open_url', { url: 'https://example.org/' });
    const prompted = await waitFor(events, core, (e) => e.type === 'toolPrompted');
    expect(prompted.type === 'toolPrompted' && prompted.prompt.tool).toBe('self.system.open_url');
    await core.handlers['tools:answer']({
      id: prompted.type === 'toolPrompted' ? prompted.prompt.id : '',
      allow: false,
    });
    expect(JSON.stringify(await call)).toContain('"isError":true');
    await waitFor(events, core, (e) => e.type === 'toolPromptClosed');
    // A tool the user set to "deny" is not even listed after the next handshake.
    await core.handlers['tools:setConsent']({ tool: 'self.clipboard.get_text', consent: 'deny' });
    const volume = await server.callTool('self.audio_speaker.set_volume', { volume: 35 });
    expect(JSON.stringify(volume)).toContain('"isError":false');
    expect((await core.handlers['settings:get'](undefined)).volume).toBe(35);
    const line = await waitFor(
      events,
      core,
      (e) =>
        e.type === 'messageUpserted' &&
        e.message.systemKind === 'tool' &&
        e.message.text.includes('set_volume'),
    );
    expect(line.type === 'messageUpserted' && line.message.conversationId).toMatch(/^preview:/);
  });

  it('hands a profile switch over to the new session: its events arrive once, in its history', async () => {
    server = await startReferenceServer({ mcp: false });
    const { core, events } = await startCore({ webSocketUrl: server.url });
    const isReady = (e: AppEvent) => e.type === 'connectionChanged' && e.next.kind === 'ready';
    await core.handlers['session:connect'](undefined);
    await waitFor(events, core, isReady);
    const second: ServerProfile = {
      id: 'second',
      name: 'Second',
      endpoint: { kind: 'websocket', url: server.url },
      dialect: 'xiaozhi',
      appHeartbeat: false,
      caFile: null,
      hasToken: false,
      activation: 'none',
    };
    await core.handlers['profiles:save']({ profile: second });
    events.length = 0;
    // The old session was connected, so the new one connects by itself.
    await core.handlers['profiles:activate']({ id: 'second' });
    await waitFor(events, core, isReady);

    await core.handlers['session:sendText']({ text: '你好呀' });
    await waitFor(events, core, (e) => e.type === 'turnEnded');
    expect(events.filter((e) => e.type === 'turnEnded')).toHaveLength(1);
    const page = await core.handlers['history:page']({ before: null, limit: 10 });
    expect(page.messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(['你好呀']);
    expect(page.messages.every((m) => m.conversationId.startsWith('second:'))).toBe(true);
  });

  it('drives the core through its app controls: connection, volume and mode', async () => {
    server = await startReferenceServer({ mcp: false });
    const { core, events } = await startCore({ webSocketUrl: server.url });
    const controls = appControlsFor(core);
    expect(await controls.status()).toMatchObject({ connection: 'initial', appVersion: '0.1.0' });
    await controls.connect();
    await waitFor(events, core, (e) => e.type === 'connectionChanged' && e.next.kind === 'ready');
    expect((await controls.status()).connection).toBe('ready');

    await controls.setVolume(35);
    expect(await controls.getVolume()).toBe(35);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'settingsChanged',
        settings: expect.objectContaining({ volume: 35 }),
      }),
    );
    await controls.setMode('auto');
    expect(await controls.getMode()).toBe('auto');
    expect(core.snapshot().settings.mode).toBe('auto');

    await controls.disconnect();
    await waitFor(
      events,
      core,
      (e) => e.type === 'connectionChanged' && e.next.kind === 'disconnected',
    );
    expect((await controls.status()).connection).toBe('disconnected');
  });
});
