import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { AppEvent } from '../../../shared/ipc.ts';
import { TrayService, type TrayLike } from '../../../main/electron/tray.ts';
import {
  initialTrayStateFrom,
  reduceTrayState,
  type TrayState,
} from '../../../main/electron/tray-state.ts';
import { TOOLTIP_MAX_LENGTH, type TrayAction } from '../../../main/electron/tray-view.ts';
import { cloudServer, homeServer, settings } from './fixtures.ts';

type Template = MenuItemConstructorOptions[];

/** The Electron Tray surface the service touches, recording every call. */
class FakeTray implements TrayLike<Template> {
  image: string;
  tooltip = '';
  contextMenu: Template | null = null;
  poppedUp: Template[] = [];
  calls: string[] = [];
  destroyed = false;
  readonly listeners = new Map<string, () => void>();

  constructor(image: string) {
    this.image = image;
  }
  setImage(iconPath: string): void {
    this.calls.push('setImage');
    this.image = iconPath;
  }
  setToolTip(text: string): void {
    this.calls.push('setToolTip');
    this.tooltip = text;
  }
  setContextMenu(menu: Template | null): void {
    this.calls.push('setContextMenu');
    this.contextMenu = menu;
  }
  popUpContextMenu(menu?: Template): void {
    if (menu) this.poppedUp.push(menu);
  }
  on(event: 'click' | 'right-click', listener: () => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  getBounds() {
    return { x: 1700, y: 1048, width: 24, height: 24 };
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const iconsDir = '/app/resources/icons';

function setup(platform: NodeJS.Platform = 'linux', systemLocale = 'en-US') {
  const trays: FakeTray[] = [];
  const actions: TrayAction[] = [];
  let clicks = 0;
  const service = new TrayService<Template>({
    createTray: (icon) => {
      const tray = new FakeTray(icon);
      trays.push(tray);
      return tray;
    },
    buildMenu: (template) => template,
    iconsDir,
    platform,
    systemLocale,
    onClick: () => clicks++,
    onAction: (action) => actions.push(action),
  });
  const tray = () => {
    const t = trays[0];
    if (!t) throw new Error('no tray created');
    return t;
  };
  return { service, trays, tray, actions, clicks: () => clicks };
}

const base = initialTrayStateFrom(settings, [homeServer, cloudServer]);

function apply(state: TrayState, ...events: AppEvent[]): TrayState {
  return events.reduce(reduceTrayState, state);
}

function connection(next: ConnectionState): AppEvent {
  return { type: 'connectionChanged', previous: { kind: 'initial' }, next };
}

const ready = connection({
  kind: 'ready',
  sessionId: 's1',
  serverVersion: '1',
  transport: 'websocket',
});

function labels(template: Template | null): (string | undefined)[] {
  return (template ?? []).map((item) => (item.type === 'separator' ? '---' : item.label));
}

function click(template: Template | null, label: string): void {
  const items = (template ?? []).flatMap((item) =>
    Array.isArray(item.submenu) ? [item, ...item.submenu] : [item],
  );
  const item = items.find((i) => i.label === label);
  if (!item?.click) throw new Error(`no clickable item ${label}`);
  item.click(...([] as unknown as Parameters<NonNullable<typeof item.click>>));
}

describe('TrayService', () => {
  it('shows an icon per state, from the 24 px Linux set', () => {
    const { service, tray } = setup('linux');
    const cases: [TrayState, string][] = [
      [base, 'offline'],
      [apply(base, connection({ kind: 'connecting', attempt: 1, url: 'ws://x' })), 'connecting'],
      [apply(base, ready), 'ready'],
      [
        apply(base, ready, { type: 'assistantChanged', previous: 'idle', next: 'listening' }),
        'listening',
      ],
      [
        apply(base, ready, { type: 'assistantChanged', previous: 'idle', next: 'thinking' }),
        'thinking',
      ],
      [
        apply(base, ready, { type: 'assistantChanged', previous: 'idle', next: 'speaking' }),
        'speaking',
      ],
      [
        apply(
          base,
          connection({
            kind: 'failed',
            cause: { code: 'refused', host: 'localhost', port: 8000 },
            gaveUpAfter: 5,
            retryAt: null,
          }),
        ),
        'error',
      ],
      [
        apply(
          base,
          connection({ kind: 'authFailed', cause: { code: 'tokenRejected' }, refreshFailed: null }),
        ),
        'error',
      ],
      [
        apply(base, { type: 'activationRequired', code: '123456', message: 'x', consoleUrl: null }),
        'activation',
      ],
    ];
    for (const [state, icon] of cases) {
      service.update(state);
      expect(tray().image).toBe(path.join(iconsDir, `tray-${icon}-24.png`));
    }
  });

  it('uses monochrome template images on macOS and 16 px icons on Windows', () => {
    const mac = setup('darwin');
    mac.service.update(apply(base, ready));
    expect(mac.tray().image).toBe(path.join(iconsDir, 'tray-readyTemplate.png'));
    const win = setup('win32');
    win.service.update(apply(base, ready));
    expect(win.tray().image).toBe(path.join(iconsDir, 'tray-ready-16.png'));
  });

  it('shows activation while the active profile awaits activation, until a session is ready', () => {
    const { service, tray } = setup();
    const onCloud = apply(base, {
      type: 'settingsChanged',
      settings: { ...settings, activeProfileId: 'cloud' },
    });
    service.update(onCloud);
    expect(tray().image).toContain('tray-activation');
    const activated = apply(onCloud, {
      type: 'profilesChanged',
      profiles: [homeServer, { ...cloudServer, activation: 'activated' }],
    });
    service.update(apply(activated, ready));
    expect(tray().image).toContain('tray-ready');
  });

  it('names the state and the server in the tooltip, with the emotion emoji and task progress', () => {
    const { service, tray } = setup();
    service.update(apply(base, ready));
    expect(tray().tooltip).toBe('Lumi · Ready · Home server');
    service.update(
      apply(
        base,
        ready,
        { type: 'assistantChanged', previous: 'idle', next: 'speaking' },
        { type: 'emotionChanged', emotion: 'happy', emoji: '😊' },
        {
          type: 'taskUpdated',
          task: { id: 't1', title: 'Download', progress: 41.6, state: 'running', message: null },
        },
      ),
    );
    expect(tray().tooltip).toBe('Lumi · Speaking · Home server · 😊 · Download 42%');
  });

  it('drops a finished task and the emoji once the connection goes', () => {
    const running = apply(
      base,
      ready,
      { type: 'emotionChanged', emotion: 'happy', emoji: '😊' },
      {
        type: 'taskUpdated',
        task: { id: 't1', title: 'Job', progress: 10, state: 'running', message: null },
      },
    );
    const after = apply(
      running,
      {
        type: 'taskUpdated',
        task: { id: 't1', title: 'Job', progress: 100, state: 'completed', message: null },
      },
      connection({ kind: 'disconnected', reason: 'idle' }),
    );
    expect(after.task).toBeNull();
    expect(after.emoji).toBeNull();
  });

  it('says which attempt a reconnect is on, and in Chinese when the system locale is Chinese', () => {
    const reconnecting = apply(
      { ...base, language: 'system' },
      connection({
        kind: 'reconnecting',
        attempt: 3,
        retryAt: 0,
        cause: { code: 'closed', closeCode: 1006 },
      }),
    );
    const en = setup('linux', 'en-GB');
    en.service.update(reconnecting);
    expect(en.tray().tooltip).toBe('Lumi · Reconnecting (attempt 3) · Home server');
    const zh = setup('linux', 'zh-CN');
    zh.service.update(reconnecting);
    expect(zh.tray().tooltip).toBe('Lumi · 重连中（第 3 次） · Home server');
    expect(labels(zh.tray().contextMenu)[0]).toBe('打开 Lumi');
  });

  it('keeps the tooltip within the Windows limit', () => {
    const { service, tray } = setup('win32');
    const longName = { ...homeServer, name: '服'.repeat(200) };
    service.update(apply(base, { type: 'profilesChanged', profiles: [longName] }));
    expect([...tray().tooltip].length).toBe(TOOLTIP_MAX_LENGTH);
    expect(tray().tooltip.endsWith('…')).toBe(true);
  });

  it('offers Open, Talk, Mode, Connect, Settings and Quit, with Open on Linux', () => {
    const { service, tray } = setup('linux');
    service.update(base);
    expect(labels(tray().contextMenu)).toEqual([
      'Open Lumi',
      'Talk',
      'Mode',
      '---',
      'Connect',
      'Settings…',
      '---',
      'Quit Lumi',
    ]);
  });

  it('offers Disconnect while connected and Stop talking while listening', () => {
    const { service, tray } = setup();
    service.update(
      apply(base, ready, { type: 'assistantChanged', previous: 'idle', next: 'listening' }),
    );
    const items = labels(tray().contextMenu);
    expect(items).toContain('Disconnect');
    expect(items).not.toContain('Connect');
    expect(items).toContain('Stop talking');
  });

  it('shows the mode as a radio group that follows modeChanged, with Realtime only when enabled', () => {
    const { service, tray } = setup();
    service.update(apply(base, { type: 'modeChanged', mode: 'auto' }));
    const modeMenu = tray().contextMenu?.find((i) => i.label === 'Mode')?.submenu;
    expect(Array.isArray(modeMenu) && modeMenu.map((i) => [i.label, i.type, i.checked])).toEqual([
      ['Push-to-talk', 'radio', false],
      ['Hands-free', 'radio', true],
    ]);
    service.update(
      apply(base, { type: 'settingsChanged', settings: { ...settings, realtimeEnabled: true } }),
    );
    const withRealtime = tray().contextMenu?.find((i) => i.label === 'Mode')?.submenu;
    expect(Array.isArray(withRealtime) && withRealtime.map((i) => i.label)).toContain('Realtime');
  });

  it('routes menu clicks to actions and a left click to the window toggle', () => {
    const { service, tray, actions, clicks } = setup();
    service.update(base);
    click(tray().contextMenu, 'Hands-free');
    click(tray().contextMenu, 'Connect');
    click(tray().contextMenu, 'Quit Lumi');
    expect(actions).toEqual(['mode:auto', 'connect', 'quit']);
    tray().listeners.get('click')?.();
    expect(clicks()).toBe(1);
  });

  it('pops the menu up on right click on macOS instead of attaching it', () => {
    const { service, tray } = setup('darwin');
    service.update(base);
    expect(tray().contextMenu).toBeNull();
    tray().listeners.get('right-click')?.();
    expect(labels(tray().poppedUp[0] ?? null)[0]).toBe('Open Lumi');
  });

  it('renders idempotently: an update that changes nothing visible touches nothing', () => {
    const { service, tray, trays } = setup();
    service.update(apply(base, ready));
    const callsAfterFirst = tray().calls.length;
    service.update(apply(base, ready));
    service.update(apply(base, ready, { type: 'inputLevel', dbfs: -30, speaking: true }));
    expect(tray().calls.length).toBe(callsAfterFirst);
    expect(trays).toHaveLength(1);
    service.update(
      apply(base, ready, { type: 'assistantChanged', previous: 'idle', next: 'thinking' }),
    );
    expect(tray().calls.slice(callsAfterFirst)).toEqual([
      'setImage',
      'setToolTip',
      'setContextMenu',
    ]);
  });

  it('destroys the tray, and reports its bounds only while it exists', () => {
    const { service, tray } = setup();
    expect(service.bounds()).toBeNull();
    service.update(base);
    expect(service.bounds()).toEqual({ x: 1700, y: 1048, width: 24, height: 24 });
    service.destroy();
    expect(tray().destroyed).toBe(true);
  });
});
