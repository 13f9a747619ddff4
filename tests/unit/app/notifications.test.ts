import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../shared/session-events.ts';
import {
  ALERT_REPEAT_MS,
  AppNotifications,
  clipNotification,
  limitToolNotifications,
  NOTIFICATION_BODY_LIMIT,
  NOTIFICATION_BURST,
  NOTIFICATION_TITLE_LIMIT,
  NOTIFICATION_WINDOW_MS,
  shouldNotify,
  type NotificationKind,
} from '../../../main/core/app/notifications.ts';
import { NodeDesktopCapabilities } from '../../../main/core/mcp/node-capabilities.ts';
import { translate, type Locale } from '../../../renderer/src/i18n/translate.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

describe('shouldNotify', () => {
  // kind, notifications setting on, window visible → shown
  const table: [NotificationKind, boolean, boolean, boolean][] = [
    ['reply', true, false, true],
    ['reply', true, true, false],
    ['reply', false, false, false],
    ['alert', true, true, true],
    ['alert', true, false, true],
    ['alert', false, false, false],
    ['toolPrompt', false, false, true],
    ['toolPrompt', true, true, false],
    ['session', true, false, true],
    ['session', true, true, false],
    ['session', false, false, false],
  ];
  it.each(table)('%s, setting %s, window shown %s → %s', (kind, enabled, windowVisible, shown) => {
    expect(shouldNotify(kind, { enabled, windowVisible })).toBe(shown);
  });
});

describe('clipNotification', () => {
  it('keeps short text and cuts long text by code point, marking the cut', () => {
    expect(clipNotification('Lumi', '你好')).toEqual({ title: 'Lumi', body: '你好' });
    const clipped = clipNotification('标'.repeat(100), '😀'.repeat(500));
    expect([...clipped.title]).toHaveLength(NOTIFICATION_TITLE_LIMIT);
    expect([...clipped.body]).toHaveLength(NOTIFICATION_BODY_LIMIT);
    expect(clipped.body.endsWith('😀…')).toBe(true);
  });
});

describe('AppNotifications', () => {
  function setup(windowVisible: boolean, locale: Locale = 'en') {
    const shown: string[] = [];
    const clock = new ManualClock();
    const notifications = new AppNotifications({
      notify: (title, body) => shown.push(`${title}: ${body}`),
      isWindowVisible: () => windowVisible,
      enabled: () => true,
      words: (key, params) => translate(locale, key, params),
      clock,
    });
    return { notifications, shown, clock };
  }
  const reply = (text: string): SessionEvent => ({
    type: 'messageUpserted',
    message: {
      id: 'a1',
      conversationId: 'c1',
      role: 'assistant',
      text,
      emotion: null,
      status: 'streaming',
      createdAt: 0,
      updatedAt: 0,
      systemKind: null,
      timings: null,
    },
  });
  const ended = (aborted: boolean): SessionEvent => ({
    type: 'turnEnded',
    aborted,
    timings: { firstResponseMs: 300, firstSentenceMs: 500, firstAudioMs: 600, totalMs: 2_000 },
  });

  it('shows the reply when its turn ends, not while it streams, and not an aborted one', () => {
    const { notifications, shown } = setup(false);
    notifications.observe(reply('今天'));
    notifications.observe(reply('今天天气很好'));
    expect(shown).toEqual([]);
    notifications.observe(ended(false));
    expect(shown).toEqual(['Lumi: 今天天气很好']);
    notifications.observe(ended(true));
    expect(shown).toHaveLength(1);
  });

  it('shows alerts over the open window, replies and tool questions only behind it', () => {
    const { notifications, shown } = setup(true);
    notifications.observe(reply('hi'));
    notifications.observe(ended(false));
    notifications.toolPrompted({
      id: '1',
      tool: 'self.clipboard.get_text',
      summary: '',
      expiresAt: 0,
    });
    notifications.observe({
      type: 'alertReceived',
      status: 'ERROR',
      message: '设备未绑定',
      emotion: null,
    });
    expect(shown).toEqual(['ERROR: 设备未绑定']);
  });

  const alert = (message: string): SessionEvent => ({
    type: 'alertReceived',
    status: 'ERROR',
    message,
    emotion: null,
  });

  it('shows at most 3 in 10 s, then one count of what was held back', () => {
    const { notifications, shown, clock } = setup(false);
    for (let i = 0; i < 5_000; i += 1) notifications.show('session', 'Lumi', `news ${i}`);
    expect(shown).toEqual(['Lumi: news 0', 'Lumi: news 1', 'Lumi: news 2']);
    clock.advance(NOTIFICATION_WINDOW_MS - 1);
    expect(shown).toHaveLength(NOTIFICATION_BURST);
    clock.advance(1);
    expect(shown.slice(NOTIFICATION_BURST)).toEqual([
      'Lumi: 4997 more notifications were not shown',
    ]);
    // Room again for the next two; the window still holds the summary.
    notifications.show('session', 'Lumi', 'later');
    expect(shown.at(-1)).toBe('Lumi: later');
    expect(clock.pendingTimers).toBe(0);
  });

  it('never holds back the pointer to an open tool question', () => {
    const { notifications, shown } = setup(false);
    for (let i = 0; i < 10; i += 1) notifications.show('session', 'Lumi', `news ${i}`);
    notifications.toolPrompted({ id: '1', tool: 'self.notify', summary: '', expiresAt: 0 });
    expect(shown.at(-1)).toBe('Lumi asks: Allow self.notify? Open Lumi to answer.');
  });

  it('words its own notifications in the language setting’s language', () => {
    const { notifications, shown, clock } = setup(false, 'zh-CN');
    notifications.toolPrompted({ id: '1', tool: 'self.notify', summary: '', expiresAt: 0 });
    expect(shown.at(-1)).toBe('Lumi 请求授权: 允许使用 self.notify？请打开 Lumi 回答。');
    for (let i = 0; i < NOTIFICATION_BURST + 2; i += 1) notifications.show('session', 'Lumi', 'x');
    clock.advance(NOTIFICATION_WINDOW_MS);
    expect(shown.at(-1)).toBe('Lumi: 还有 2 条通知未显示');
  });

  it('shows the same alert once a minute, a different one at once', () => {
    const { notifications, shown, clock } = setup(true);
    notifications.observe(alert('设备未绑定'));
    clock.advance(NOTIFICATION_WINDOW_MS);
    notifications.observe(alert('设备未绑定'));
    notifications.observe(alert('余额不足'));
    expect(shown).toEqual(['ERROR: 设备未绑定', 'ERROR: 余额不足']);
    clock.advance(ALERT_REPEAT_MS);
    notifications.observe(alert('设备未绑定'));
    expect(shown).toHaveLength(3);
  });

  it("puts the device tools' notifications under the same limit, failing the held-back calls", async () => {
    const { notifications, shown } = setup(false);
    const desktop = new NodeDesktopCapabilities({
      app: {
        getVolume: () => Promise.resolve(50),
        setVolume: () => Promise.resolve(),
        getMode: () => Promise.resolve('manual'),
        setMode: () => Promise.resolve(),
        status: () => Promise.resolve({ connection: 'ready', appVersion: '0', os: 'linux' }),
      },
    });
    const fromTool: string[] = [];
    desktop.events.on('notificationShown', ({ title }) => fromTool.push(title));
    const limited = limitToolNotifications(desktop, notifications.rate);
    notifications.show('session', 'Lumi', 'first');
    await limited.notify('tool 1', '');
    await limited.notify('tool 2', '');
    await expect(limited.notify('tool 3', '')).rejects.toThrow(/at most 3 notifications in 10 s/);
    expect(fromTool).toEqual(['tool 1', 'tool 2']);
    expect(shown).toEqual(['Lumi: first']);
    expect(await limited.getVolume()).toBe(50);
  });
});
