/**
 * The fake Electron's side of the control channel (boot-protocol.ts): it reports to the test and
 * answers its requests by acting as the window (an IPC invoke from its main frame, a request on
 * the app:// scheme), the user (a tray menu click) or the desktop (a second launch).
 */
import type { EventEmitter } from 'node:events';
import type {
  BootRecord,
  ChildMessage,
  ControlReply,
  ControlRequest,
  ControlRequestMessage,
  FetchedResponse,
} from './boot-protocol.ts';
import type { FakeSession } from './fake-electron-camera.ts';
import type {
  FakeBrowserWindow,
  FakeTray,
  FakeWebContents,
  MenuTemplateItem,
} from './fake-electron-windows.ts';

/** The invoke event as the IPC gateway reads it (Electron's has more). */
export interface InvokeEvent {
  readonly sender: FakeWebContents;
  readonly senderFrame: { readonly url: string; readonly parent: null };
}

export type InvokeListener = (event: InvokeEvent, ...args: unknown[]) => unknown;
export type ProtocolHandler = (request: Request) => Promise<Response>;
export type PermissionCheck = (...args: unknown[]) => unknown;

/** What the fake Electron holds: everything the composition root asked of it. */
export interface FakeWorld {
  readonly app: EventEmitter;
  readonly windows: readonly FakeBrowserWindow[];
  readonly trays: readonly FakeTray[];
  readonly privilegedSchemes: readonly string[];
  readonly protocolHandlers: ReadonlyMap<string, ProtocolHandler>;
  readonly ipcHandlers: ReadonlyMap<string, InvokeListener>;
  readonly shortcuts: ReadonlyMap<string, () => void>;
  readonly openedLinks: readonly string[];
  readonly saveDialogs: BootRecord['saveDialogs'];
  readonly screenCaptures: BootRecord['screenCaptures'];
  readonly singleInstanceData: unknown;
  readonly permissionCheck: PermissionCheck | null;
  /** The default session (null) or a partition's. */
  readonly session: (partition: string | null) => FakeSession | undefined;
  /** Channels with an `ipcMain.on` listener. */
  readonly ipcListenerChannels: () => string[];
}

/** Sends to the test, if it is still there; `then` runs once the message is out. */
export function tellTest(message: ChildMessage, then: () => void = () => undefined): void {
  if (process.send && process.connected) process.send(message, () => then());
  else then();
}

function menuItems(items: readonly MenuTemplateItem[]): MenuTemplateItem[] {
  return items.flatMap((item) => [item, ...menuItems(item.submenu ?? [])]);
}

export function bootRecord(world: FakeWorld): BootRecord {
  const check = world.permissionCheck;
  return {
    privilegedSchemes: [...world.privilegedSchemes],
    protocolHandlers: [...world.protocolHandlers.keys()],
    ipcChannels: [...world.ipcHandlers.keys()],
    ipcListenerChannels: world.ipcListenerChannels(),
    windows: world.windows.map((w) => ({
      url: w.webContents.url || null,
      partition: w.options.webPreferences?.partition ?? null,
      show: w.options.show ?? true,
      preload: w.options.webPreferences?.preload ?? null,
      sandbox: w.options.webPreferences?.sandbox ?? null,
      contextIsolation: w.options.webPreferences?.contextIsolation ?? null,
      nodeIntegration: w.options.webPreferences?.nodeIntegration ?? null,
      visible: w.isVisible(),
      showCount: w.showCount,
      windowOpenHandler: w.webContents.windowOpenHandler !== null,
      navigateListeners: w.webContents.listenerCount('will-navigate'),
    })),
    trays: world.trays.map((t) => ({
      image: t.image,
      tooltip: t.tooltip,
      menuLabels: menuItems(t.menu?.items ?? []).flatMap((i) => (i.label ? [i.label] : [])),
      destroyed: t.destroyed,
    })),
    shortcuts: [...world.shortcuts.keys()],
    permissionCheck: check === null ? null : check(null, 'media', 'app://lumi', {}) === true,
    singleInstanceData: world.singleInstanceData,
    openedLinks: [...world.openedLinks],
    saveDialogs: [...world.saveDialogs],
    screenCaptures: [...world.screenCaptures],
  };
}

/** An invoke from the window's main frame (or a frame showing `frameUrl`). */
async function invoke(
  world: FakeWorld,
  channel: string,
  payload: unknown,
  frameUrl?: string,
): Promise<unknown> {
  const listener = world.ipcHandlers.get(channel);
  if (!listener) throw new Error(`no handler for '${channel}'`);
  const window = world.windows.find((w) => !w.isDestroyed());
  if (!window) throw new Error('no window to invoke from');
  const contents = window.webContents;
  const event: InvokeEvent = {
    sender: contents,
    senderFrame: { url: frameUrl ?? contents.url, parent: null },
  };
  // The reply crosses to the renderer by structured cloning in Electron too.
  return structuredClone(await listener(event, payload));
}

async function fetchApp(world: FakeWorld, url: string): Promise<FetchedResponse> {
  const handler = world.protocolHandlers.get(new URL(url).protocol.slice(0, -1));
  if (!handler) throw new Error(`no protocol handler for ${url}`);
  const response = await handler(new Request(url));
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
  };
}

function clickMenu(world: FakeWorld, label: string): void {
  const tray = world.trays.find((t) => !t.destroyed);
  const item = menuItems(tray?.menu?.items ?? []).find((i) => i.label === label);
  if (!item?.click) throw new Error(`no tray menu item '${label}'`);
  item.click();
}

/** A permission request from one of the windows (by index), to a session's handler. */
function askPermission(
  world: FakeWorld,
  request: Extract<ControlRequest, { kind: 'askPermission' }>,
): Promise<boolean> {
  const session = world.session(request.partition);
  const window = world.windows[request.window];
  if (!session || !window) throw new Error('no such session or window');
  return session.ask(window.webContents, request.permission, request.mediaTypes);
}

async function answer(world: FakeWorld, request: ControlRequestMessage): Promise<unknown> {
  switch (request.kind) {
    case 'invoke':
      return invoke(world, request.channel, request.payload, request.frameUrl);
    case 'fetch':
      return fetchApp(world, request.url);
    case 'clickMenu':
      return clickMenu(world, request.label);
    case 'secondInstance':
      world.app.emit('second-instance', {}, request.argv, process.cwd(), request.data);
      return undefined;
    case 'inspect':
      return bootRecord(world);
    case 'askPermission':
      return askPermission(world, request);
  }
}

/** Answers the test's requests for as long as it is connected. */
export function listenForControl(world: FakeWorld): void {
  // A test that went away takes its app with it: a real Electron app would run on forever.
  process.on('disconnect', () => process.exit(1));
  process.on('message', (message: ControlRequestMessage) => {
    answer(world, message)
      .then(
        (value): ControlReply => ({ ok: true, value }),
        (error: unknown): ControlReply => ({ ok: false, error: String(error) }),
      )
      .then((reply) => tellTest({ kind: 'reply', id: message.id, ...reply }));
  });
}
