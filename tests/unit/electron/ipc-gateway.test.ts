import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import type { AppEvent, IpcChannel, Snapshot } from '../../../shared/ipc.ts';
import { EVENT_CHANNEL } from '../../../shared/ipc.ts';
import { HandlerError, type IpcHandlers } from '../../../main/core/app/handlers.ts';
import { MAX_QUEUED_EVENTS } from '../../../main/core/app/ipc-dispatcher.ts';
import {
  IpcGateway,
  type EventTarget,
  type IpcMainLike,
} from '../../../main/electron/ipc-gateway.ts';
import { IPC_CHANNELS } from '../../../main/core/app/ipc-requests.ts';
import { homeServer, settings } from './fixtures.ts';

type Listener = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** ipcMain as the gateway sees it: a map of channel → handler the test invokes. */
class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

class FakeWebContents implements EventTarget {
  readonly sent: AppEvent[] = [];
  destroyed = false;
  readonly id: number;
  constructor(id: number) {
    this.id = id;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, event: AppEvent): void {
    expect(channel).toBe(EVENT_CHANNEL);
    this.sent.push(event);
  }
}

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

function invokeEvent(senderId: number, frame: FakeFrame | null): IpcMainInvokeEvent {
  return { sender: { id: senderId }, senderFrame: frame } as unknown as IpcMainInvokeEvent;
}

const appFrame: FakeFrame = { url: 'app://lumi/index.html', parent: null };

const snapshot = { appVersion: '0.1.0' } as unknown as Snapshot;

function handlers(overrides: Partial<IpcHandlers> = {}): IpcHandlers {
  const unused = () => {
    throw new Error('not used in this test');
  };
  const all = Object.fromEntries(IPC_CHANNELS.map((c) => [c, unused])) as unknown as IpcHandlers;
  return { ...all, 'app:ready': () => snapshot, ...overrides };
}

function setup(overrides: Partial<IpcHandlers> = {}) {
  const ipcMain = new FakeIpcMain();
  const contents = new FakeWebContents(7);
  const logged: string[] = [];
  const gateway = new IpcGateway({
    ipcMain,
    handlers: handlers(overrides),
    target: () => contents,
    log: (message) => logged.push(message),
  });
  gateway.start();
  const invoke = (channel: IpcChannel, payload?: unknown, event = invokeEvent(7, appFrame)) => {
    const listener = ipcMain.handlers.get(channel);
    if (!listener) throw new Error(`no handler for ${channel}`);
    return listener(event, payload);
  };
  return { ipcMain, contents, gateway, invoke, logged };
}

describe('IpcGateway', () => {
  it('handles every channel of the contract', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...IPC_CHANNELS].sort());
    expect(IPC_CHANNELS).toHaveLength(32);
  });

  it('wraps a handler value into an ok Result', async () => {
    const { invoke } = setup({ 'settings:get': () => settings });
    expect(await invoke('settings:get')).toEqual({ ok: true, value: settings });
  });

  it.each([
    ['another webContents', invokeEvent(8, appFrame)],
    [
      'a sub-frame of our window',
      invokeEvent(7, { url: 'app://lumi/index.html', parent: appFrame }),
    ],
    ['a page on another origin', invokeEvent(7, { url: 'https://evil.example/', parent: null })],
    ['another app:// host', invokeEvent(7, { url: 'app://evil/index.html', parent: null })],
    ['a file:// page', invokeEvent(7, { url: 'file:///tmp/index.html', parent: null })],
    ['a destroyed frame', invokeEvent(7, null)],
  ])('refuses %s without calling the handler', async (_name, event) => {
    let called = false;
    const { invoke } = setup({
      'session:connect': () => {
        called = true;
      },
    });
    const result = await invoke('session:connect', undefined, event);
    expect(result).toMatchObject({ ok: false, code: 'forbidden' });
    expect(called).toBe(false);
  });

  it('refuses everything when the window is gone', async () => {
    const ipcMain = new FakeIpcMain();
    new IpcGateway({ ipcMain, handlers: handlers(), target: () => null, log: () => {} }).start();
    const result = await ipcMain.handlers.get('app:ready')?.(invokeEvent(7, appFrame));
    expect(result).toMatchObject({ ok: false, code: 'forbidden' });
  });

  it('keeps a HandlerError code and problem, with the problem in English for the log', async () => {
    const { invoke } = setup({
      'session:sendText': () => {
        throw new HandlerError('outbox_full', { code: 'outboxFull' });
      },
    });
    expect(await invoke('session:sendText', { text: 'hi' })).toEqual({
      ok: false,
      code: 'outbox_full',
      problem: { code: 'outboxFull' },
      message: 'Too many messages are already waiting to be sent.',
    });
  });

  it('turns any other error into a safe internal Result and logs it', async () => {
    const { invoke, logged } = setup({
      'profiles:list': async () => {
        throw new Error('ENOENT: /home/me/.config/Lumi/secret-path');
      },
    });
    const result = await invoke('profiles:list');
    expect(result).toMatchObject({
      ok: false,
      code: 'internal',
      problem: { code: 'internalError' },
    });
    expect(JSON.stringify(result)).not.toContain('secret-path');
    expect(logged).toEqual(['IPC profiles:list failed']);
  });

  it('refuses malformed payloads before the handler runs', async () => {
    const received: unknown[] = [];
    const { invoke } = setup({
      'session:sendText': (request) => {
        received.push(request);
        throw new HandlerError('unexpected', { code: 'unexpected', detail: 'should not run' });
      },
      'session:setMode': (request) => {
        received.push(request);
      },
      'settings:update': () => settings,
      'profiles:save': (request) => request.profile,
    });
    for (const bad of [undefined, { text: 42 }, { text: '' }, { text: 'x'.repeat(10_000) }]) {
      expect(await invoke('session:sendText', bad)).toMatchObject({
        ok: false,
        code: 'bad_request',
      });
    }
    expect(await invoke('session:setMode', { mode: 'sideways' })).toMatchObject({
      ok: false,
      code: 'bad_request',
    });
    expect(await invoke('settings:update', { patch: ['not', 'a', 'record'] })).toMatchObject({
      ok: false,
      code: 'bad_request',
    });
    expect(
      await invoke('profiles:save', {
        profile: { ...homeServer, endpoint: { kind: 'ftp', url: 'x' } },
      }),
    ).toMatchObject({ ok: false, code: 'bad_request' });
    expect(received).toEqual([]);
    expect(await invoke('session:setMode', { mode: 'auto' })).toEqual({
      ok: true,
      value: undefined,
    });
    expect(await invoke('profiles:save', { profile: homeServer, token: 'abc' })).toEqual({
      ok: true,
      value: homeServer,
    });
    expect(received).toEqual([{ mode: 'auto' }]);
  });

  it('queues events until the window is ready, then sends them in order before the snapshot', async () => {
    const { gateway, contents, invoke } = setup();
    const first: AppEvent = { type: 'modeChanged', mode: 'auto' };
    const second: AppEvent = { type: 'userTranscribed', text: 'hello' };
    gateway.send(first);
    gateway.send(second);
    expect(contents.sent).toEqual([]);
    const result = await invoke('app:ready');
    expect(result).toEqual({ ok: true, value: snapshot });
    expect(contents.sent).toEqual([first, second]);
    const third: AppEvent = { type: 'playbackDrained' };
    gateway.send(third);
    expect(contents.sent).toEqual([first, second, third]);
  });

  it('does not become ready on a refused or failed app:ready', async () => {
    const failing = setup({
      'app:ready': () => {
        throw new Error('store locked');
      },
    });
    failing.gateway.send({ type: 'playbackDrained' });
    await failing.invoke('app:ready');
    expect(failing.gateway.isReady).toBe(false);
    const foreign = setup();
    await foreign.invoke('app:ready', undefined, invokeEvent(9, appFrame));
    expect(foreign.gateway.isReady).toBe(false);
    expect(foreign.contents.sent).toEqual([]);
  });

  it('drops live-only meters while waiting and caps the queue, dropping the oldest', async () => {
    const { gateway, contents, invoke } = setup();
    gateway.send({ type: 'inputLevel', dbfs: -20, speaking: true });
    for (let i = 0; i < MAX_QUEUED_EVENTS + 5; i++) {
      gateway.send({ type: 'sentenceStarted', text: `s${i}` });
    }
    await invoke('app:ready');
    expect(contents.sent).toHaveLength(MAX_QUEUED_EVENTS);
    expect(contents.sent[0]).toEqual({ type: 'sentenceStarted', text: 's5' });
  });

  it('queues again after the page reloads, until the next app:ready', async () => {
    const { gateway, contents, invoke } = setup();
    await invoke('app:ready');
    gateway.markNotReady();
    gateway.send({ type: 'playbackDrained' });
    expect(contents.sent).toEqual([]);
    await invoke('app:ready');
    expect(contents.sent).toEqual([{ type: 'playbackDrained' }]);
  });

  it('stops: removes every handler', () => {
    const { gateway, ipcMain } = setup();
    gateway.stop();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
