import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync, tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import SettingsView from '../../../renderer/src/components/SettingsView.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { DoctorStep, Snapshot } from '../../../shared/ipc.ts';
import { fail } from '../../../shared/result.ts';
import {
  createFakeLumi,
  profileFixture,
  settingsFixture,
  snapshotFixture,
  type FakeLumi,
} from './fake-lumi-api.ts';

const SECRET = 'tok-3f9a71c2-super-secret';

async function renderSettings(snapshot?: Snapshot): Promise<{ fake: FakeLumi; lumi: Lumi }> {
  const fake = createFakeLumi(snapshot === undefined ? {} : { snapshot });
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  render(SettingsView, { context: new Map([[LUMI_CONTEXT, started.value]]) });
  return { fake, lumi: started.value };
}

/** Lets the API's answers arrive, then draws. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
}

describe('settings', () => {
  it('sends each edit to main as a patch of just that setting', async () => {
    const { fake } = await renderSettings();
    await fireEvent.click(screen.getByTestId('settings-start-at-login'));
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ startAtLogin: true });
    await fireEvent.change(screen.getByTestId('settings-retention'), {
      target: { value: 'forever' },
    });
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ historyRetentionDays: null });
    const keepPictures = screen.getByTestId('settings-keep-picture-thumbnails') as HTMLInputElement;
    expect(keepPictures.checked).toBe(false);
    await fireEvent.click(keepPictures);
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ keepPictureThumbnails: true });
    await fireEvent.change(screen.getByTestId('audio-volume'), { target: { value: '35' } });
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ volume: 35 });
    await fireEvent.click(screen.getByTestId('settings-realtime'));
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ realtimeEnabled: true });
    expect(screen.getByTestId('realtime-warning').textContent).toContain('headphones');
  });

  it('saves a hotkey with the other hotkey fields intact, and refuses two equal keys', async () => {
    const { fake } = await renderSettings();
    const hold = screen.getByTestId<HTMLInputElement>('hotkey-hold');
    await fireEvent.change(hold, { target: { value: 'F10' } });
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({
      hotkeys: { toggleTalk: 'Alt+Shift+Space', holdToTalk: 'F10', doubleTapHandsFree: true },
    });
    await settle();
    const calls = fake.api.updateSettings.mock.calls.length;
    await fireEvent.change(hold, { target: { value: 'alt+shift+space' } });
    expect(fake.api.updateSettings).toHaveBeenCalledTimes(calls);
    expect(hold.value).toBe('F10');
    expect(screen.getByRole('alert').textContent).toContain('must be different');
  });

  it('switches the language as soon as main applies it', async () => {
    const { fake } = await renderSettings();
    await fireEvent.change(screen.getByTestId('settings-language'), {
      target: { value: 'zh-CN' },
    });
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ language: 'zh-CN' });
    await settle();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('设置');
  });

  it('shows hotkey problems and the Wayland fallback note from the snapshot', async () => {
    await renderSettings(
      snapshotFixture({
        hotkeyProblems: [{ code: 'shortcutTaken', shortcut: 'F9' }],
        holdToTalkAvailable: false,
      }),
    );
    expect(screen.getByTestId('hotkey-problems').textContent).toBe(
      'The shortcut "F9" could not be registered; another application may be using it.',
    );
    expect(screen.getByTestId('hotkey-wayland').textContent).toContain('Wayland');
  });

  it('sets per-tool consent', async () => {
    const { fake } = await renderSettings();
    const row = screen
      .getAllByTestId('tool-consent')
      .find((item) => item.dataset.tool === 'self.audio_speaker.set_volume');
    await fireEvent.change(within(row as HTMLElement).getByRole('combobox'), {
      target: { value: 'deny' },
    });
    expect(fake.api.setToolConsent).toHaveBeenCalledWith('self.audio_speaker.set_volume', 'deny');
  });

  it('lists audio devices by direction and plays a test tone', async () => {
    const fake = createFakeLumi();
    const device = { hostApi: 'ALSA', defaultSampleRate: 48_000 };
    fake.api.listDevices.mockResolvedValue({
      ok: true,
      value: [
        { ...device, id: 1, name: 'USB Mic', maxInputChannels: 1, maxOutputChannels: 0 },
        { ...device, id: 2, name: 'Speakers', maxInputChannels: 0, maxOutputChannels: 2 },
      ],
    });
    const started = await Lumi.start(fake.api, 'en-US');
    if (!started.ok) throw new Error(started.message);
    render(SettingsView, { context: new Map([[LUMI_CONTEXT, started.value]]) });
    await settle();
    const options = (id: string) =>
      [...screen.getByTestId<HTMLSelectElement>(id).options].map((option) => option.text);
    expect(options('audio-input')).toEqual(['System default', 'USB Mic']);
    expect(options('audio-output')).toEqual(['System default', 'Speakers']);
    await fireEvent.change(screen.getByTestId('audio-input'), { target: { value: 'USB Mic' } });
    expect(fake.api.updateSettings).toHaveBeenLastCalledWith({ inputDevice: 'USB Mic' });
    await fireEvent.click(screen.getByTestId('audio-test-tone'));
    expect(fake.api.testTone).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('settings-meter')).toBeTruthy();
  });
});

describe('server profiles', () => {
  it('lets an OTA profile accept ws:// from an https OTA, off unless ticked', async () => {
    const stored = profileFixture();
    const { fake } = await renderSettings(snapshotFixture({ profiles: [stored] }));
    await fireEvent.click(screen.getByTestId('profile-edit'));
    const allow = screen.getByTestId<HTMLInputElement>('profile-allow-insecure-ws');
    expect(allow.checked).toBe(false);
    await fireEvent.click(allow);
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    expect(fake.api.saveProfile).toHaveBeenCalledExactlyOnceWith({
      ...stored,
      allowInsecureWebSocket: true,
    });
  });

  it('chooses the transport of an OTA profile; auto is stored as nothing', async () => {
    const stored = profileFixture();
    const { fake } = await renderSettings(snapshotFixture({ profiles: [stored] }));
    await fireEvent.click(screen.getByTestId('profile-edit'));
    const transport = screen.getByTestId<HTMLSelectElement>('profile-transport');
    expect(transport.value).toBe('auto');
    expect([...transport.options].map((option) => option.text)).toEqual([
      'Auto (as the server offers; MQTT + UDP first)',
      'WebSocket',
      'MQTT + UDP',
    ]);
    await fireEvent.change(transport, { target: { value: 'mqtt' } });
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    expect(fake.api.saveProfile).toHaveBeenCalledExactlyOnceWith({ ...stored, transport: 'mqtt' });
  });

  it('never shows the token back: the field is write-only and cleared after saving', async () => {
    const stored = profileFixture({ hasToken: true });
    const { fake } = await renderSettings(snapshotFixture({ profiles: [stored] }));
    await fireEvent.click(screen.getByTestId('profile-edit'));
    const token = screen.getByTestId<HTMLInputElement>('profile-token');
    expect(token.type).toBe('password');
    expect(token.value).toBe('');
    expect(token.placeholder).toContain('stored');
    await fireEvent.input(token, { target: { value: SECRET } });
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    expect(fake.api.saveProfile).toHaveBeenCalledExactlyOnceWith(stored, SECRET);
    expect(screen.queryByTestId('profile-form')).toBeNull();
    expect(document.body.innerHTML).not.toContain(SECRET);
    await fireEvent.click(screen.getByTestId('profile-edit'));
    expect(screen.getByTestId<HTMLInputElement>('profile-token').value).toBe('');
  });

  it('keeps the stored token when the field is left empty, and can forget it', async () => {
    const stored = profileFixture({ hasToken: true });
    const { fake } = await renderSettings(snapshotFixture({ profiles: [stored] }));
    await fireEvent.click(screen.getByTestId('profile-edit'));
    await fireEvent.input(screen.getByTestId('profile-name'), { target: { value: 'Cloud' } });
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    expect(fake.api.saveProfile).toHaveBeenLastCalledWith({ ...stored, name: 'Cloud' });
    await fireEvent.click(screen.getByTestId('profile-edit'));
    await fireEvent.click(screen.getByTestId('profile-forget-token'));
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    expect(fake.api.saveProfile).toHaveBeenLastCalledWith(stored, null);
  });

  it('adds a WebSocket server only with a ws:// or wss:// address', async () => {
    const { fake } = await renderSettings();
    await fireEvent.click(screen.getByTestId('profile-add'));
    await fireEvent.input(screen.getByTestId('profile-name'), { target: { value: 'Home' } });
    await fireEvent.change(screen.getByTestId('profile-endpoint-kind'), {
      target: { value: 'websocket' },
    });
    await fireEvent.input(screen.getByTestId('profile-url'), {
      target: { value: 'http://192.168.1.20:8000/xiaozhi/v1/' },
    });
    await fireEvent.submit(screen.getByTestId('profile-form'));
    expect(screen.getByRole('alert').textContent).toContain('ws://');
    expect(fake.api.saveProfile).not.toHaveBeenCalled();
    await fireEvent.input(screen.getByTestId('profile-url'), {
      target: { value: 'ws://192.168.1.20:8000/xiaozhi/v1/' },
    });
    await fireEvent.submit(screen.getByTestId('profile-form'));
    await settle();
    const [saved, token] = fake.api.saveProfile.mock.calls[0] ?? [];
    expect(saved).toMatchObject({
      name: 'Home',
      endpoint: { kind: 'websocket', url: 'ws://192.168.1.20:8000/xiaozhi/v1/' },
      dialect: 'xiaozhi',
    });
    expect(token).toBeUndefined();
    expect(fake.api.listProfiles).toHaveBeenCalled();
  });

  it('switches the active server and removes another after a second press', async () => {
    const other = profileFixture({ id: 'home', name: 'Home server' });
    const { fake } = await renderSettings(snapshotFixture({ profiles: [profileFixture(), other] }));
    const items = screen.getAllByTestId('profile-item');
    const home = items.find((item) => item.dataset.profileId === 'home') as HTMLElement;
    await fireEvent.click(within(home).getByTestId('profile-activate'));
    expect(fake.api.activateProfile).toHaveBeenCalledExactlyOnceWith('home');
    await settle();
    expect(fake.api.getSettings).toHaveBeenCalled();

    const cloud = items.find((item) => item.dataset.profileId === 'cloud') as HTMLElement;
    await fireEvent.click(within(cloud).getByTestId('profile-remove'));
    expect(fake.api.removeProfile).not.toHaveBeenCalled();
    await fireEvent.click(within(cloud).getByTestId('profile-remove'));
    expect(fake.api.removeProfile).toHaveBeenCalledExactlyOnceWith('cloud');
  });
});

describe('connection test', () => {
  it('runs the doctor and lists each step with its time and fix', async () => {
    const steps: DoctorStep[] = [
      {
        name: 'ota',
        ok: true,
        skipped: false,
        ms: 182.4,
        detail: { code: 'otaHandsOutToken', url: 'ws://10.0.0.2:8000/xiaozhi/v1/' },
        fix: null,
      },
      {
        name: 'activation',
        ok: true,
        skipped: true,
        ms: 0,
        detail: { code: 'activationNotAsked' },
        fix: null,
      },
      {
        name: 'websocket',
        ok: false,
        skipped: false,
        ms: 3004,
        detail: { code: 'socketOpenFailed', url: 'ws://10.0.0.2:8000/', detail: 'ECONNREFUSED' },
        fix: { code: 'fixWebSocketNothingListening' },
      },
    ];
    const { fake } = await renderSettings();
    fake.api.runDoctor.mockResolvedValueOnce({ ok: true, value: steps });
    await fireEvent.click(screen.getByTestId('doctor-run'));
    await settle();
    const rows = screen.getAllByTestId('doctor-step');
    expect(rows.map((row) => row.dataset.outcome)).toEqual(['ok', 'skipped', 'failed']);
    expect(rows[0]?.textContent).toContain('182 ms');
    expect(rows[2]?.textContent).toContain('3004 ms');
    expect(rows[2]?.textContent).toContain('ECONNREFUSED');
    expect(rows[0]?.textContent).toContain(
      'The server hands out ws://10.0.0.2:8000/xiaozhi/v1/ and a token.',
    );
    expect(screen.getByTestId('doctor-fix').textContent?.trim()).toBe(
      'Fix: Nothing is listening there: start the server, or check the port (xiaozhi-esp32-server’s WebSocket port is 8000).',
    );
  });
});

describe('settings from main', () => {
  it('redraws when main reports new settings', async () => {
    const { fake } = await renderSettings();
    expect(screen.getByTestId<HTMLInputElement>('settings-notifications').checked).toBe(true);
    fake.emit({ type: 'settingsChanged', settings: settingsFixture({ notifications: false }) });
    await tick();
    expect(screen.getByTestId<HTMLInputElement>('settings-notifications').checked).toBe(false);
  });
});

describe('refused edits', () => {
  it('puts the control back when main refuses a change', async () => {
    const { fake, lumi } = await renderSettings();
    fake.api.updateSettings.mockResolvedValueOnce(
      fail('invalid', { code: 'unexpected', detail: 'cannot register login item' }),
    );
    const box = screen.getByTestId<HTMLInputElement>('settings-start-at-login');
    await fireEvent.click(box);
    await settle();
    expect(box.checked).toBe(false);
    expect(lumi.notices.items.map(lumi.i18n.notice).at(-1)).toContain('cannot register login item');
  });
});
