/**
 * Everything a person reads is in their language: with the window in Chinese, what the core
 * reports as data (failed calls, refusals, Lumi's own conversation lines, the keystore warning,
 * hotkey problems) shows without English words. Lines the core stored as text before it
 * stored codes still show their text.
 */
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import DoctorPanel from '../../../renderer/src/components/DoctorPanel.svelte';
import MessageBubble from '../../../renderer/src/components/MessageBubble.svelte';
import NoticeList from '../../../renderer/src/components/NoticeList.svelte';
import ProfileTransfer from '../../../renderer/src/components/ProfileTransfer.svelte';
import SecretsBanner from '../../../renderer/src/components/SecretsBanner.svelte';
import SettingsView from '../../../renderer/src/components/SettingsView.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { ChatMessage } from '../../../shared/chat.ts';
import type { DoctorStep, Snapshot } from '../../../shared/ipc.ts';
import type { Problem } from '../../../shared/problems.ts';
import { fail } from '../../../shared/result.ts';
import {
  createFakeLumi,
  messageFixture,
  settingsFixture,
  snapshotFixture,
} from './fake-lumi-api.ts';

/** Runs of Latin letters, apart from names that stay as they are in every language. */
function englishWords(text: string, names: readonly string[] = []): string[] {
  const rest = names.reduce((left, name) => left.split(name).join(' '), text);
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

async function startInChinese(overrides: Partial<Snapshot> = {}) {
  const fake = createFakeLumi({
    snapshot: snapshotFixture({ settings: settingsFixture({ language: 'zh-CN' }), ...overrides }),
  });
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  const lumi = started.value;
  return { fake, lumi, context: new Map([[LUMI_CONTEXT, lumi]]) };
}

/** The words of the system line, without its time. */
const lineText = (): string =>
  screen.getByTestId('message-system').querySelector('.text')?.textContent?.trim() ?? '';

const settle = async (): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
};

describe('the window in Chinese', () => {
  it('words a call main refused from its problem, not from the English message', async () => {
    const { lumi, context } = await startInChinese();
    render(NoticeList, { context });
    lumi.report(fail('invalid', { code: 'lastProfile' }));
    lumi.report(fail('outbox_full', { code: 'outboxFull' }));
    lumi.report(fail('internal', { code: 'internalError' }));
    flushSync();
    const texts = screen.getAllByTestId('notice').map((notice) => notice.textContent ?? '');
    expect(texts).toEqual([
      expect.stringContaining('操作失败：不能删除最后一个配置。'),
      expect.stringContaining('操作失败：等待发送的消息太多了。'),
      expect.stringContaining('操作失败：Lumi 内部出错了，详情已写入日志。'),
    ]);
    for (const text of texts) expect(englishWords(text, ['Lumi'])).toEqual([]);
  });

  it('words a failed import in the settings', async () => {
    const { fake, context } = await startInChinese();
    fake.api.importProfiles.mockResolvedValueOnce(fail('invalid', { code: 'importNotJson' }));
    render(ProfileTransfer, { context });
    await fireEvent.input(screen.getByTestId('transfer-json'), { target: { value: '{' } });
    await fireEvent.click(screen.getByTestId('transfer-import'));
    await settle();
    const status = screen.getByRole('status').textContent ?? '';
    expect(status).toBe('此文件不是 JSON。');
    expect(englishWords(status, ['JSON'])).toEqual([]);
  });

  it('words a refused message, keeping only the server’s own words as they are', async () => {
    const { context } = await startInChinese();
    const refusal: Problem = { code: 'messageRefused', text: '错误：文字太长' };
    const message = messageFixture({
      id: 'u1',
      role: 'user',
      text: '很长的文字',
      status: 'refused',
    });
    render(MessageBubble, { context, props: { message, error: refusal } });
    const status = screen.getByTestId('message-status').textContent ?? '';
    expect(status.trim()).toBe('服务器拒绝了这条消息：错误：文字太长');
    expect(englishWords(status)).toEqual([]);
  });

  it('says "refused by the server" when the refusal’s words are not known (a history row)', async () => {
    const { context } = await startInChinese();
    const message = messageFixture({ id: 'u1', role: 'user', text: '很长', status: 'refused' });
    render(MessageBubble, { context, props: { message, error: null } });
    expect(screen.getByTestId('message-status').textContent?.trim()).toBe('被服务器拒绝');
  });

  it.each<[string, Problem, string]>([
    ['a restart the server asked for', { code: 'sessionRestartAsked' }, '服务器要求重新开始会话。'],
    ['an error without words', { code: 'serverErrorUnspecified' }, '服务器报告了错误。'],
    [
      'a tool call',
      { code: 'toolCalled', call: 'self.get_volume', result: '40' },
      '工具 self.get_volume：40',
    ],
    [
      'a tool call the user did not allow',
      { code: 'toolDenied', call: 'self.get_volume' },
      '工具 self.get_volume：你没有允许。',
    ],
    [
      'a clipboard read, by its length',
      { code: 'toolCalledCharacters', call: 'self.get_volume', count: 14 },
      '工具 self.get_volume：14 个字符',
    ],
    [
      'a look at the screen, with the vision model’s answer',
      { code: 'toolLookedAtScreen', call: 'self.get_volume', answer: '一个错误对话框' },
      '工具 self.get_volume 查看了屏幕：一个错误对话框',
    ],
    [
      'a photo',
      { code: 'toolTookPhoto', call: 'self.get_volume', answer: '红色杯子' },
      '工具 self.get_volume 拍了一张照片：红色杯子',
    ],
    [
      'a tool the desktop cannot run now',
      { code: 'toolUnavailable', call: 'self.get_volume' },
      '工具 self.get_volume 目前在这台电脑上不可用。',
    ],
    [
      'a picture too large to send',
      { code: 'toolPictureTooLarge', call: 'self.get_volume' },
      '工具 self.get_volume 失败：图片太大，无法发送。',
    ],
    ['a finished task', { code: 'taskCompleted', title: '备份' }, '备份：已完成'],
  ])('words Lumi’s own conversation line for %s', async (_what, notice, expected) => {
    const { context } = await startInChinese();
    const line: ChatMessage = messageFixture({
      id: 's1',
      role: 'system',
      systemKind: 'server',
      text: 'the English the history keeps for search',
      notice,
    });
    render(MessageBubble, { context, props: { message: line, error: null } });
    const text = lineText();
    expect(text).toBe(expected);
    expect(englishWords(text, ['self.get_volume'])).toEqual([]);
  });

  it('shows a line stored as text before lines were codes, as it was stored', async () => {
    const { context } = await startInChinese();
    const old = messageFixture({
      id: 's0',
      role: 'system',
      systemKind: 'server',
      text: 'The server asked to restart the session.',
    });
    render(MessageBubble, { context, props: { message: old, error: null } });
    expect(lineText()).toBe('The server asked to restart the session.');
  });

  it.each([
    ['plaintextBackend', '未找到系统密钥环'],
    ['noEncryption', '此系统无法加密'],
  ] as const)('words the keystore warning (%s)', async (reason, expected) => {
    const { context } = await startInChinese({ secretsConsent: reason });
    render(SecretsBanner, { context });
    const text = screen.getByTestId('secrets-banner').textContent ?? '';
    expect(text).toContain(expected);
    expect(englishWords(text, ['Lumi', 'basic_text'])).toEqual([]);
  });

  it('words every step of the connection test, its details and its fixes', async () => {
    const { fake, context } = await startInChinese();
    const steps: DoctorStep[] = [
      {
        name: 'ota',
        ok: true,
        skipped: false,
        ms: 120,
        detail: { code: 'otaHandsOutToken', url: 'ws://nas:8000/xiaozhi/v1/' },
        fix: null,
      },
      {
        name: 'activation',
        ok: false,
        skipped: false,
        ms: 0,
        detail: { code: 'activationPending', activationCode: '123456' },
        fix: { code: 'fixActivation', activationCode: '123456' },
      },
      {
        name: 'websocket',
        ok: false,
        skipped: false,
        ms: 40,
        detail: {
          code: 'problem',
          problem: { code: 'caFileUnreadable', path: '/ca.pem', detail: '' },
        },
        fix: { code: 'fixCaFile' },
      },
      {
        name: 'hello',
        ok: false,
        skipped: true,
        ms: 0,
        detail: { code: 'notRun', after: 'websocket' },
        fix: null,
      },
    ];
    fake.api.runDoctor.mockResolvedValueOnce({ ok: true, value: steps });
    render(DoctorPanel, { context });
    await fireEvent.click(screen.getByTestId('doctor-run'));
    await settle();
    const rows = screen.getAllByTestId('doctor-step').map((row) => row.textContent ?? '');
    expect(rows).toEqual([
      expect.stringContaining('服务器分配了 ws://nas:8000/xiaozhi/v1/ 和一个令牌。'),
      expect.stringContaining('用激活码 123456 添加设备'),
      expect.stringContaining('无法读取 CA 文件 /ca.pem'),
      expect.stringContaining('未运行：“WebSocket”一步失败了。'),
    ]);
    const names = [
      'ws://nas:8000/xiaozhi/v1/',
      '/ca.pem',
      'xiaozhi.me',
      'OTA',
      'WebSocket',
      'Hello',
      'CA',
      'PEM',
    ];
    for (const row of rows) expect(englishWords(row, names)).toEqual([]);
  });

  it('words the hotkey problems', async () => {
    await startInChinese({
      hotkeyProblems: [
        { code: 'hotkeyWayland' },
        { code: 'shortcutTaken', shortcut: 'Alt+Shift+Space' },
      ],
    }).then(({ context }) => render(SettingsView, { context }));
    const items = [...screen.getByTestId('hotkey-problems').querySelectorAll('li')].map(
      (item) => item.textContent ?? '',
    );
    expect(items).toEqual([
      expect.stringContaining('Wayland 会话中无法使用按住说话'),
      '无法注册快捷键“Alt+Shift+Space”；可能已被其他应用占用。',
    ]);
    for (const item of items) {
      expect(englishWords(item, ['Wayland', 'lumi --toggle-talk', 'Alt+Shift+Space'])).toEqual([]);
    }
  });
});
