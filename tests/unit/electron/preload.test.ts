import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppEvent } from '../../../shared/ipc.ts';
import { EVENT_CHANNEL } from '../../../shared/ipc.ts';
import type { PreloadApi } from '../../../preload/index.ts';
import { IPC_CHANNELS } from '../../../main/core/app/ipc-requests.ts';
import { homeServer } from './fixtures.ts';

type Forward = (event: { sender: string }, payload: AppEvent) => void;

/** The two Electron objects a preload touches: what it exposed and what it invoked. */
const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<Forward>>();
  return {
    exposed,
    invoked,
    listeners,
    module: {
      contextBridge: {
        exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value),
      },
      ipcRenderer: {
        invoke: async (channel: string, ...args: unknown[]) => {
          invoked.push([channel, args]);
          return { ok: true, value: channel };
        },
        on: (channel: string, listener: Forward) => {
          const set = listeners.get(channel) ?? new Set();
          set.add(listener);
          listeners.set(channel, set);
        },
        removeListener: (channel: string, listener: Forward) => {
          listeners.get(channel)?.delete(listener);
        },
      },
    },
  };
});

vi.mock('electron', () => electron.module);

let api: PreloadApi;

beforeAll(async () => {
  await import('../../../preload/index.ts');
  api = electron.exposed.get('lumi') as PreloadApi;
});

describe('preload', () => {
  it('exposes exactly one object, window.lumi, of plain functions', () => {
    expect([...electron.exposed.keys()]).toEqual(['lumi']);
    const values = Object.values(api);
    expect(values.every((v) => typeof v === 'function')).toBe(true);
    expect(Object.keys(api)).toHaveLength(IPC_CHANNELS.length + 1);
    expect(Object.keys(api)).not.toContain('ipcRenderer');
    expect(Object.keys(api)).not.toContain('invoke');
  });

  it('sends each call on its channel with its payload', async () => {
    electron.invoked.length = 0;
    await api.ready();
    await api.sendText('你好');
    await api.setMode('auto');
    await api.updateSettings({ volume: 40 });
    await api.historyPage(null, 50);
    await api.searchHistory('weather', 20);
    await api.answerTool('t1', true);
    await api.setToolConsent('self.screen.capture', 'ask');
    await api.openLink('https://xiaozhi.me');
    await api.setPinned(true);
    await api.hideWindow();
    expect(electron.invoked).toEqual([
      ['app:ready', [undefined]],
      ['session:sendText', [{ text: '你好' }]],
      ['session:setMode', [{ mode: 'auto' }]],
      ['settings:update', [{ patch: { volume: 40 } }]],
      ['history:page', [{ before: null, limit: 50 }]],
      ['history:search', [{ query: 'weather', limit: 20 }]],
      ['tools:answer', [{ id: 't1', allow: true }]],
      ['tools:setConsent', [{ tool: 'self.screen.capture', consent: 'ask' }]],
      ['links:open', [{ url: 'https://xiaozhi.me' }]],
      ['window:setPinned', [{ pinned: true }]],
      ['window:hide', [undefined]],
    ]);
  });

  it('reaches every channel of the contract through some method', async () => {
    electron.invoked.length = 0;
    const calls: (() => Promise<unknown>)[] = [
      api.ready,
      api.connect,
      api.disconnect,
      api.retry,
      () => api.sendText('x'),
      () => api.retrySend('1'),
      () => api.cancelSend('1'),
      () => api.editSend('1', 'x'),
      api.startTalking,
      api.stopTalking,
      api.abort,
      () => api.setMode('manual'),
      api.getSettings,
      () => api.updateSettings({}),
      api.listProfiles,
      () => api.saveProfile(homeServer),
      () => api.activateProfile('a'),
      () => api.removeProfile('a'),
      api.exportProfiles,
      api.exportSecrets,
      () => api.importProfiles('{}'),
      api.allowStoringSecrets,
      api.runDoctor,
      api.listDevices,
      api.testTone,
      () => api.historyPage(null, 1),
      () => api.searchHistory('q', 1),
      () => api.answerTool('i', false),
      () => api.setToolConsent('t', 'deny'),
      () => api.openLink('https://a'),
      api.hideWindow,
      () => api.setPinned(false),
    ];
    for (const call of calls) await call();
    expect(new Set(electron.invoked.map(([c]) => c))).toEqual(new Set(IPC_CHANNELS));
  });

  it('omits the token key when keeping the stored token, and sends null to forget it', async () => {
    electron.invoked.length = 0;
    await api.saveProfile(homeServer);
    await api.saveProfile(homeServer, null);
    await api.saveProfile(homeServer, 'secret');
    const payloads = electron.invoked.map(([, args]) => args[0] as Record<string, unknown>);
    expect('token' in (payloads[0] ?? {})).toBe(false);
    expect(payloads[1]).toEqual({ profile: homeServer, token: null });
    expect(payloads[2]).toEqual({ profile: homeServer, token: 'secret' });
  });

  it('passes events without the IPC event object, and unsubscribes', () => {
    const received: unknown[][] = [];
    const unsubscribe = api.onEvent((...args: unknown[]) => received.push(args));
    const forwarders = [...(electron.listeners.get(EVENT_CHANNEL) ?? [])];
    expect(forwarders).toHaveLength(1);
    const event: AppEvent = { type: 'playbackDrained' };
    forwarders[0]?.({ sender: 'the webContents' }, event);
    expect(received).toEqual([[event]]);
    unsubscribe();
    expect(electron.listeners.get(EVENT_CHANNEL)?.size).toBe(0);
  });
});
