/**
 * Boot smoke test of the Electron composition root: the built bundle (dist/main/index.cjs) runs
 * in a Node 24 process on a fake Electron (fake-electron.ts), with the real core, real stores in
 * a temp userData folder and the reference server. It proves the bundle's imports resolve, start()
 * runs through, the window loads the app:// page, the tray shows, the IPC gateway answers every
 * channel of the contract from the real core, a typed turn reaches the window as events, and the
 * app quits cleanly. The tests share one app process and run in order; quitting comes last.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import type { ServerProfile } from '../../../shared/settings.ts';
import { APP_ENTRY_URL, CONTENT_SECURITY_POLICY } from '../../../main/electron/app-protocol.ts';
import { IPC_CHANNELS } from '../../../main/core/app/ipc-requests.ts';
import { TOGGLE_TALK_FLAG } from '../../../main/electron/single-instance.ts';
import { CAMERA_PARTITION } from '../../../main/electron/camera.ts';
import { CAMERA_CHANNELS } from '../../../shared/camera-page.ts';
import { trayLabels } from '../../../main/electron/tray-labels.ts';
import { startReferenceServer, type ReferenceServer } from '../../fixtures/reference-server.ts';
import { colourIn, nearColour } from '../../helpers/xvfb.ts';
import { AppProcess, prepareApp, type PreparedApp } from './app-process.ts';
import { FAKE_CAMERA } from './fake-electron-camera.ts';

/** A build when dist/ is stale, the private copy, and the first boot, on a busy machine. */
const SETUP_TIMEOUT_MS = 180_000;
/** A typed turn against the reference server takes about a second; this is the patience. */
const TURN_TIMEOUT_MS = 15_000;
const TEXT = '你好呀';
/** The launch flags a second instance sends along with the single-instance lock request. */
const PLAIN_LAUNCH = { toggleTalk: false, hidden: false };
const TOGGLE_TALK_LAUNCH = { toggleTalk: true, hidden: false };

function ofType<K extends AppEvent['type']>(type: K) {
  return (event: AppEvent): event is Extract<AppEvent, { type: K }> => event.type === type;
}

let prepared: PreparedApp | null = null;
let server: ReferenceServer | null = null;
let lumi: AppProcess | null = null;
const extraLaunches: AppProcess[] = [];

function app(): AppProcess {
  if (!lumi) throw new Error('the app did not start');
  return lumi;
}

beforeAll(async () => {
  prepared = await prepareApp();
  server = await startReferenceServer({ mcp: false });
  lumi = new AppProcess(prepared.appDir);
  await lumi.loaded;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  for (const launch of [lumi, ...extraLaunches]) await launch?.stop();
  await server?.stop();
  prepared?.dispose();
});

describe('the built Electron main on a fake Electron', () => {
  it('boots: the window loads the app:// page, locked down, with the built preload', async () => {
    const record = await app().inspect();
    expect(app().exit).toBeNull();
    // Nothing printed: no uncaught error, no unhandled rejection, no warning (bar experimental).
    expect(app().output).toBe('');
    expect(record.privilegedSchemes).toEqual(['app']);
    // The window, and the camera's hidden capture page.
    expect(record.windows).toHaveLength(2);
    const window = record.windows[0]!;
    expect(window.url).toBe(APP_ENTRY_URL);
    expect(window.preload).toBe(path.join(prepared!.appDir, 'dist', 'preload', 'index.cjs'));
    expect(existsSync(window.preload!)).toBe(true);
    expect(window).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // Launched by hand (no --hidden): shown once the page has painted.
    expect(window.visible).toBe(true);
    expect(window.windowOpenHandler).toBe(true);
    expect(window.navigateListeners).toBeGreaterThan(0);
    expect(record.permissionCheck).toBe(false);
    const settings = await app().invoke('settings:get', undefined);
    if (!settings.ok) throw new Error(`settings:get failed: ${settings.message}`);
    expect(record.shortcuts).toEqual([settings.value.hotkeys.toggleTalk]);
  });

  it('serves the built renderer on the app:// scheme with the content security policy', async () => {
    const page = await app().fetch(APP_ENTRY_URL);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    const built = readFileSync(path.join(prepared!.appDir, 'dist', 'renderer', 'index.html'));
    expect(page.body).toBe(built.toString('utf8'));
    expect((await app().fetch('app://lumi/../package.json')).status).toBe(404);
  });

  it('ships a main bundle V8 can hold at one byte a character, without libsamplerate inlined', () => {
    const bundle = readFileSync(path.join(prepared!.appDir, 'dist', 'main', 'index.cjs'));
    const firstWide = bundle.findIndex((byte) => byte > 0x7f);
    expect(firstWide === -1 ? '' : bundle.subarray(firstWide - 60, firstWide + 20).toString()).toBe(
      '',
    );
    // The wasm build of libsamplerate is ~2 MB of inline base64: it loads from node_modules.
    expect(bundle.includes('@alexanderolsen/libsamplerate-js')).toBe(true);
    expect(bundle.length).toBeLessThan(1_500_000);
  });

  it('handles exactly the IPC channels of the contract', async () => {
    const record = await app().inspect();
    expect([...record.ipcChannels].sort()).toEqual([...IPC_CHANNELS].sort());
  });

  it('shows a tray icon from resources/icons with a tooltip and a menu', async () => {
    const record = await app().inspect();
    expect(record.trays).toHaveLength(1);
    const tray = record.trays[0]!;
    expect(path.dirname(tray.image)).toBe(path.join(prepared!.appDir, 'resources', 'icons'));
    expect(existsSync(tray.image)).toBe(true);
    expect(tray.tooltip).toMatch(/Lumi/);
    const labels = trayLabels('en', 'en-US');
    expect(tray.menuLabels).toEqual(expect.arrayContaining([labels.open, labels.quit]));
  });

  it('holds events until the window is ready, then answers app:ready with the core snapshot', async () => {
    const profile: ServerProfile = {
      id: 'boot',
      name: 'Reference server',
      endpoint: { kind: 'websocket', url: server!.url },
      dialect: 'xiaozhi',
      appHeartbeat: false,
      caFile: null,
      hasToken: false,
      activation: 'none',
    };
    const saved = await app().invoke('profiles:save', { profile, token: null });
    expect(saved).toEqual({ ok: true, value: profile });
    expect(app().sent).toEqual([]);

    const ready = await app().invoke('app:ready', undefined);
    if (!ready.ok) throw new Error(`app:ready failed: ${ready.message}`);
    const snapshot = ready.value;
    const version = JSON.parse(readFileSync(path.join(prepared!.appDir, 'package.json'), 'utf8'));
    expect(snapshot.appVersion).toBe(version.version);
    expect(snapshot.platform).toBe(process.platform);
    expect(snapshot.connection).toEqual({ kind: 'initial' });
    expect(snapshot.profiles).toContainEqual(profile);
    expect(snapshot.profiles.map((p) => p.id)).toContain(snapshot.settings.activeProfileId);
    // No display in the test: hold-to-talk is off and says why.
    expect(snapshot.holdToTalkAvailable).toBe(false);
    expect(snapshot.hotkeyProblems.length).toBeGreaterThan(0);
    // The event queued while the window was not ready arrived ahead of the reply.
    const changed = app().events.find(ofType('profilesChanged'));
    expect(changed?.profiles).toContainEqual(profile);
  });

  it('refuses a request from a frame that is not the app page', async () => {
    const refused = await app().invoke('settings:get', undefined, 'https://example.com/');
    expect(refused).toMatchObject({ ok: false, code: 'forbidden' });
    const malformed = await app().invoke('session:sendText', { text: '' });
    expect(malformed).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it('opens https links in the OS browser through shell, and nothing else', async () => {
    const link = 'https://xiaozhi.me/help';
    expect(await app().invoke('links:open', { url: link })).toEqual({ ok: true, value: undefined });
    expect(await app().invoke('links:open', { url: 'file:///etc/passwd' })).toMatchObject({
      ok: false,
    });
    expect((await app().inspect()).openedLinks).toEqual([link]);
  });

  it('exports secrets through a save dialog in main: the file has them, the reply does not', async () => {
    const profile: ServerProfile = {
      id: 'exported',
      name: 'Exported',
      endpoint: { kind: 'websocket', url: server!.url },
      dialect: 'xiaozhi',
      appHeartbeat: false,
      caFile: null,
      hasToken: false,
      activation: 'none',
    };
    const token = 'boot-export-token-5e7a';
    expect(await app().invoke('profiles:save', { profile, token })).toMatchObject({ ok: true });
    const reply = await app().invoke('profiles:exportSecrets', undefined);
    if (!reply.ok || !reply.value.saved) throw new Error(`export failed: ${JSON.stringify(reply)}`);
    expect(JSON.stringify(reply)).not.toContain(token);
    expect(JSON.stringify(app().sent)).not.toContain(token);
    expect(readFileSync(reply.value.path, 'utf8')).toContain(token);
    expect(statSync(reply.value.path).mode & 0o777).toBe(0o600);
    const dialogs = (await app().inspect()).saveDialogs;
    expect(dialogs).toEqual([
      { defaultPath: expect.stringMatching(/lumi-servers-with-secrets\.json$/), modal: true },
    ]);
    expect(await app().invoke('profiles:remove', { id: 'exported' })).toMatchObject({ ok: true });
  });

  it('runs a typed turn end to end: reference server in, window events and history out', async () => {
    expect(await app().invoke('profiles:activate', { id: 'boot' })).toEqual({
      ok: true,
      value: undefined,
    });
    const sent = await app().invoke('session:sendText', { text: TEXT });
    expect(sent).toMatchObject({ ok: true, value: { text: TEXT, status: 'queued' } });

    const detect = await server!.waitFor(
      (r) => r.type === 'listen' && r.message?.state === 'detect',
      TURN_TIMEOUT_MS,
    );
    expect(detect.message?.text).toBe(TEXT);
    const ended = await app().waitForEvent(ofType('turnEnded'), TURN_TIMEOUT_MS);
    expect(ended.aborted).toBe(false);
    const replies = app()
      .events.filter(ofType('messageUpserted'))
      .filter((e) => e.message.role === 'assistant');
    expect(replies.at(-1)?.message.text).toContain(TEXT);

    const page = await app().invoke('history:page', { before: null, limit: 10 });
    if (!page.ok) throw new Error(`history:page failed: ${page.message}`);
    const messages = page.value.messages;
    expect(messages.find((m) => m.role === 'user')?.text).toBe(TEXT);
    expect(messages.some((m) => m.role === 'assistant' && m.text.includes(TEXT))).toBe(true);

    // The tray follows the assistant from the same event stream: speaking while the reply's
    // audio plays out (on a machine with a sound device), then ready.
    const ready = trayLabels('en', 'en-US').states.ready;
    const deadline = Date.now() + TURN_TIMEOUT_MS;
    let tooltip = '';
    while (Date.now() < deadline) {
      tooltip = (await app().inspect()).trays[0]!.tooltip ?? '';
      if (tooltip.includes(ready)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(tooltip).toContain(ready);
  });

  it('explains the screen: desktopCapturer with the window hidden, the picture in the prompt, the answer from the vision endpoint', async () => {
    // A new session on a server that drives MCP and names its vision endpoint.
    server!.setKnobs({ mcp: true });
    await app().invoke('session:disconnect', undefined);
    await app().invoke('session:connect', undefined);
    await server!.waitForTools(TURN_TIMEOUT_MS);
    expect((await app().inspect()).windows[0]!.visible).toBe(true);

    const call = server!.callTool('self.screen.take_screenshot', { question: '屏幕上是什么？' });
    const prompted = await app().waitForEvent(ofType('toolPrompted'), TURN_TIMEOUT_MS);
    expect(prompted.prompt.preview?.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    expect(prompted.prompt.preview?.destination).toBe(`127.0.0.1:${server!.port}`);
    // Captured before the question, with Lumi's window out of the picture, then shown again.
    const record = await app().inspect();
    expect(record.screenCaptures).toEqual([{ width: 1280, height: 720, windowVisible: false }]);
    expect(record.windows[0]!.visible).toBe(true);
    expect(server!.visionRequests).toEqual([]);

    await app().invoke('tools:answer', { id: prompted.prompt.id, allow: true });
    const answer = JSON.stringify(await call);
    expect(answer).toContain('图片 JPEG 1280x720');
    expect(nearColour(colourIn(answer))).toBe(true);
    const line = app()
      .events.filter(ofType('messageUpserted'))
      .find((e) => e.message.text.includes('looked at the screen'));
    expect(line?.message.image).toBe(prompted.prompt.preview?.thumbnail);
  });

  it('opens the camera page hidden and sandboxed in its own partition, which alone may use the camera', async () => {
    const record = await app().inspect();
    const page = record.windows[1]!;
    expect(page).toMatchObject({
      url: 'app://lumi/camera.html',
      partition: CAMERA_PARTITION,
      show: false,
      visible: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      windowOpenHandler: true,
    });
    expect(page.preload).toBe(path.join(prepared!.appDir, 'dist', 'preload', 'camera.cjs'));
    expect(existsSync(page.preload!)).toBe(true);
    expect([...record.ipcListenerChannels].sort()).toEqual(
      [CAMERA_CHANNELS.camerasCounted, CAMERA_CHANNELS.frameTaken].sort(),
    );
    // The camera page may capture video, nothing else; the window may not use the partition,
    // and the window's own session stays deny-all.
    expect(await app().askPermission(CAMERA_PARTITION, 1, 'media', ['video'])).toBe(true);
    expect(await app().askPermission(CAMERA_PARTITION, 1, 'media', ['audio'])).toBe(false);
    expect(await app().askPermission(CAMERA_PARTITION, 1, 'media', ['video', 'audio'])).toBe(false);
    expect(await app().askPermission(CAMERA_PARTITION, 1, 'notifications')).toBe(false);
    expect(await app().askPermission(CAMERA_PARTITION, 0, 'media', ['video'])).toBe(false);
    expect(await app().askPermission(null, 0, 'media', ['video'])).toBe(false);
    expect(await app().askPermission(null, 1, 'media', ['video'])).toBe(false);
  });

  it('takes a photo: listed with a camera, the photo in the prompt, the answer from the vision endpoint', async () => {
    const tools = await server!.waitForTools(TURN_TIMEOUT_MS);
    expect(tools.map((tool) => tool.name)).toContain('self.camera.take_photo');
    const call = server!.callTool('self.camera.take_photo', { question: '我手里拿着什么？' });
    const prompted = await app().waitForEvent(
      (e): e is Extract<AppEvent, { type: 'toolPrompted' }> =>
        e.type === 'toolPrompted' && e.prompt.tool === 'self.camera.take_photo',
      TURN_TIMEOUT_MS,
    );
    expect(prompted.prompt.preview?.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    const before = server!.visionRequests.length;
    await app().invoke('tools:answer', { id: prompted.prompt.id, allow: true });
    const answer = JSON.stringify(await call);
    expect(answer).toContain(`图片 JPEG ${FAKE_CAMERA.width}x${FAKE_CAMERA.height}`);
    expect(nearColour(colourIn(answer), '#cc3366')).toBe(true);
    expect(server!.visionRequests).toHaveLength(before + 1);
  });

  it('a later launch reaches the running one: it shows the window, --toggle-talk talks', async () => {
    const before = (await app().inspect()).windows[0]!.showCount;
    await app().request({ kind: 'secondInstance', argv: [], data: PLAIN_LAUNCH });
    expect((await app().inspect()).windows[0]!.showCount).toBe(before + 1);

    // Hands-free, so the toggle opens listening at once (push-to-talk waits out a short press).
    expect(await app().invoke('session:setMode', { mode: 'auto' })).toMatchObject({ ok: true });
    const from = server!.received.length;
    await app().request({ kind: 'secondInstance', argv: [], data: TOGGLE_TALK_LAUNCH });
    const start = await server!.waitFor(
      (r) => r.seq >= from && r.type === 'listen' && r.message?.state === 'start',
      TURN_TIMEOUT_MS,
    );
    expect(start.message?.mode).toBe('auto');
  });

  it('a second launch with --toggle-talk hands its flags over and quits without starting', async () => {
    const second = new AppProcess(prepared!.appDir, { flags: [TOGGLE_TALK_FLAG], lockHeld: true });
    extraLaunches.push(second);
    const exit = await second.exited;
    expect(exit, second.diagnostics()).toEqual({ code: 0, signal: null });
    expect(second.quitRecord).toMatchObject({
      singleInstanceData: TOGGLE_TALK_LAUNCH,
      windows: [],
      trays: [],
      ipcChannels: [],
    });
  });

  it('quits from the tray menu: handlers removed, tray gone, the process exits 0', async () => {
    await app().request({ kind: 'clickMenu', label: trayLabels('en', 'en-US').quit });
    const exit = await app().exited;
    expect(exit, app().diagnostics()).toEqual({ code: 0, signal: null });
    const record = app().quitRecord;
    expect(record?.ipcChannels).toEqual([]);
    expect(record?.trays.every((t) => t.destroyed)).toBe(true);
    expect(record?.shortcuts).toEqual([]);
    // The entry (dist/main/start.cjs) kept V8's compiled code for the next start.
    expect(readdirSync(path.join(app().userData, 'compile-cache')).length).toBeGreaterThan(0);
  });
});
