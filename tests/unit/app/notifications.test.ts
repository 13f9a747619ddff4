import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../../shared/session-events.ts';
import {
  AppNotifications,
  clipNotification,
  NOTIFICATION_BODY_LIMIT,
  NOTIFICATION_TITLE_LIMIT,
  shouldNotify,
  type NotificationKind,
} from '../../../main/core/app/notifications.ts';

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
  function setup(windowVisible: boolean) {
    const shown: string[] = [];
    const notifications = new AppNotifications({
      notify: (title, body) => shown.push(`${title}: ${body}`),
      isWindowVisible: () => windowVisible,
      enabled: () => true,
    });
    return { notifications, shown };
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
});
