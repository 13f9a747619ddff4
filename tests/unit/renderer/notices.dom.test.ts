import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import NoticeList from '../../../renderer/src/components/NoticeList.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import { NOTICE_LIFETIME_MS } from '../../../renderer/src/state/notices.svelte.ts';
import type { Language } from '../../../shared/settings.ts';
import {
  createFakeLumi,
  settingsFixture,
  snapshotFixture,
  type FakeLumi,
} from './fake-lumi-api.ts';

const SPEAKER_FAILED = {
  type: 'deviceError',
  direction: 'output',
  problem: { code: 'defaultDeviceOpenFailed', detail: 'PortAudio: Invalid device' },
} as const;

async function renderNotices(language: Language = 'en'): Promise<{ fake: FakeLumi; lumi: Lumi }> {
  const fake = createFakeLumi({
    snapshot: snapshotFixture({ settings: settingsFixture({ language }) }),
  });
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  render(NoticeList, { context: new Map([[LUMI_CONTEXT, started.value]]) });
  return { fake, lumi: started.value };
}

const texts = (): string[] =>
  screen.queryAllByTestId('notice').map((notice) => notice.textContent?.trim() ?? '');

afterEach(() => {
  vi.useRealTimers();
});

describe('notice list', () => {
  it('shows the same error twice as one notice with a count', async () => {
    const { fake } = await renderNotices();
    fake.emit(SPEAKER_FAILED);
    fake.emit(SPEAKER_FAILED);
    flushSync();
    expect(screen.getAllByTestId('notice')).toHaveLength(1);
    expect(texts()[0]).toContain(
      'Speaker problem: Cannot open the default device (PortAudio: Invalid device).',
    );
    expect(screen.getByTestId('notice-count').textContent).toBe('×2');

    fake.emit(SPEAKER_FAILED);
    flushSync();
    expect(screen.getByTestId('notice-count').textContent).toBe('×3');
  });

  it('keeps notices apart when the code or a parameter differs', async () => {
    const { fake } = await renderNotices();
    fake.emit(SPEAKER_FAILED);
    fake.emit({ ...SPEAKER_FAILED, direction: 'input' });
    fake.emit({
      ...SPEAKER_FAILED,
      problem: { code: 'defaultDeviceOpenFailed', detail: 'another cause' },
    });
    flushSync();
    expect(screen.getAllByTestId('notice')).toHaveLength(3);
    expect(screen.queryByTestId('notice-count')).toBeNull();
  });

  it('gives a repeated notice a full lifetime from its last repeat, and dismisses it at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { fake } = await renderNotices();
    fake.emit(SPEAKER_FAILED);
    vi.advanceTimersByTime(NOTICE_LIFETIME_MS - 1_000);
    fake.emit(SPEAKER_FAILED);
    vi.advanceTimersByTime(2_000);
    flushSync();
    expect(screen.getAllByTestId('notice')).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button'));
    expect(screen.queryAllByTestId('notice')).toHaveLength(0);
    fake.emit(SPEAKER_FAILED);
    flushSync();
    expect(screen.queryByTestId('notice-count')).toBeNull();
  });

  it('words the core’s problems in Chinese for a Chinese window', async () => {
    const { fake } = await renderNotices('zh-CN');
    fake.emit(SPEAKER_FAILED);
    fake.emit({ type: 'errorOccurred', problem: { code: 'turnTimedOut' } });
    flushSync();
    expect(texts()).toEqual([
      '扬声器出现问题：无法打开默认设备（PortAudio: Invalid device）。',
      '错误：服务器不再回应这一轮对话。',
    ]);
  });
});
