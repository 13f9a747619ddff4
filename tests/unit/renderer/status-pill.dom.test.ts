import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync, tick, type Component } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ActivationBanner from '../../../renderer/src/components/ActivationBanner.svelte';
import AssistantIndicator from '../../../renderer/src/components/AssistantIndicator.svelte';
import ConnectionNotice from '../../../renderer/src/components/ConnectionNotice.svelte';
import StatusPill from '../../../renderer/src/components/StatusPill.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { ConnectionState } from '../../../shared/connection-state.ts';
import type { Problem } from '../../../shared/problems.ts';
import {
  createFakeLumi,
  NOW,
  settingsFixture,
  snapshotFixture,
  type FakeLumi,
} from './fake-lumi-api.ts';

async function startLumi(fake: FakeLumi, systemLanguage = 'en-US'): Promise<Lumi> {
  const started = await Lumi.start(fake.api, systemLanguage);
  if (!started.ok) throw new Error(started.message);
  return started.value;
}

function renderWith(component: Component, lumi: Lumi): void {
  render(component, { context: new Map([[LUMI_CONTEXT, lumi]]) });
}

function setConnection(fake: FakeLumi, next: ConnectionState): void {
  fake.emit({ type: 'connectionChanged', previous: { kind: 'initial' }, next });
  flushSync();
}

const REFUSED: Problem = { code: 'refused', host: '127.0.0.1', port: 8000 };

const EVERY_STATE: readonly [ConnectionState, string, string][] = [
  [{ kind: 'initial' }, 'Not connected', 'tone-idle'],
  [{ kind: 'connecting', attempt: 1, url: 'wss://x.test/' }, 'Connecting…', 'tone-busy'],
  [{ kind: 'connected' }, 'Connected', 'tone-linked'],
  [{ kind: 'handshaking' }, 'Handshaking…', 'tone-greeting'],
  [
    { kind: 'ready', sessionId: 's', serverVersion: '1', transport: 'websocket' },
    'Ready',
    'tone-good',
  ],
  [
    { kind: 'reconnecting', attempt: 2, retryAt: 0, cause: { code: 'closed', closeCode: 1006 } },
    'Reconnecting…',
    'tone-busy',
  ],
  [{ kind: 'disconnected', reason: 'user' }, 'Disconnected', 'tone-idle'],
  [{ kind: 'disconnected', reason: 'idle' }, 'Idle', 'tone-idle'],
  [
    { kind: 'failed', cause: REFUSED, gaveUpAfter: 5, retryAt: null },
    'Connection failed',
    'tone-bad',
  ],
  [
    { kind: 'authFailed', cause: { code: 'tokenRejected' }, refreshFailed: null },
    'Not authorised',
    'tone-bad',
  ],
];

afterEach(() => {
  vi.useRealTimers();
});

describe('status pill', () => {
  it('names every connection state with its own text, colour and icon', async () => {
    const fake = createFakeLumi();
    renderWith(StatusPill, await startLumi(fake));
    const icons = new Set<string>();
    for (const [state, text, tone] of EVERY_STATE) {
      setConnection(fake, state);
      const pill = screen.getByTestId('status-pill');
      expect(pill.dataset.state).toBe(state.kind);
      expect(screen.getByTestId('status-text').textContent).toBe(text);
      expect(pill.classList.contains(tone)).toBe(true);
      expect(pill.getAttribute('aria-label')).toBe(`Connection: ${text}`);
      icons.add(pill.querySelector('path')?.getAttribute('d') ?? '');
    }
    // Nine kinds; the two disconnected reasons share one icon.
    expect(icons.size).toBe(9);
  });

  it('counts down to the next attempt while reconnecting', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'Date'] });
    vi.setSystemTime(NOW);
    const fake = createFakeLumi();
    renderWith(StatusPill, await startLumi(fake));
    setConnection(fake, {
      kind: 'reconnecting',
      attempt: 3,
      retryAt: NOW + 5_000,
      cause: { code: 'pongTimedOut', seconds: 10 },
    });
    const text = () => screen.getByTestId('status-text').textContent;
    expect(text()).toBe('Retrying in 5 s');
    vi.advanceTimersByTime(1_000);
    flushSync();
    expect(text()).toBe('Retrying in 4 s');
    vi.advanceTimersByTime(2_500);
    flushSync();
    expect(text()).toBe('Retrying in 2 s');
    vi.advanceTimersByTime(2_000);
    flushSync();
    expect(text()).toBe('Reconnecting…');
    // The screen-reader name does not tick every second.
    expect(screen.getByTestId('status-pill').getAttribute('aria-label')).toBe(
      'Connection: Reconnecting…',
    );
    // Once nothing counts down, the ticker stops: an idle window runs no timers.
    expect(vi.getTimerCount()).toBe(1);
    setConnection(fake, {
      kind: 'ready',
      sessionId: 's',
      serverVersion: '1',
      transport: 'websocket',
    });
    await tick();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shows the state in Simplified Chinese for a Chinese system', async () => {
    const fake = createFakeLumi({
      snapshot: snapshotFixture({ settings: settingsFixture({ language: 'system' }) }),
    });
    renderWith(StatusPill, await startLumi(fake, 'zh-CN'));
    expect(screen.getByTestId('status-text').textContent).toBe('已就绪');
    fake.emit({ type: 'settingsChanged', settings: settingsFixture({ language: 'en' }) });
    flushSync();
    expect(screen.getByTestId('status-text').textContent).toBe('Ready');
  });
});

describe('connection notice', () => {
  it('offers Retry when failed, refused or disconnected, and Retry calls retry', async () => {
    const fake = createFakeLumi();
    renderWith(ConnectionNotice, await startLumi(fake));
    expect(screen.queryByTestId('retry-button')).toBeNull();
    const retryable: ConnectionState[] = [
      { kind: 'failed', cause: REFUSED, gaveUpAfter: 5, retryAt: null },
      { kind: 'authFailed', cause: { code: 'tokenRejected' }, refreshFailed: null },
      { kind: 'disconnected', reason: 'user' },
      { kind: 'disconnected', reason: 'idle' },
    ];
    for (const [index, state] of retryable.entries()) {
      setConnection(fake, state);
      await fireEvent.click(screen.getByTestId('retry-button'));
      expect(fake.api.retry).toHaveBeenCalledTimes(index + 1);
    }
    setConnection(fake, {
      kind: 'failed',
      cause: REFUSED,
      gaveUpAfter: 5,
      retryAt: Date.now() + 60_000,
    });
    expect(screen.getByTestId('connection-notice').textContent).toContain(
      'Connection refused: nothing is listening at 127.0.0.1 port 8000. Gave up after 5 quick attempts. Lumi keeps trying about once a minute.',
    );
    setConnection(fake, {
      kind: 'ready',
      sessionId: 's',
      serverVersion: '1',
      transport: 'websocket',
    });
    expect(screen.queryByTestId('retry-button')).toBeNull();
  });
});

describe('the window in Chinese with the server unreachable', () => {
  /** Latin letters other than the host, the port and protocol names would be English prose. */
  const ENGLISH_WORD = /[A-Za-z]{3,}/;

  it('explains a refused connection in Chinese only, in the notice and the pill', async () => {
    const fake = createFakeLumi({
      snapshot: snapshotFixture({ settings: settingsFixture({ language: 'zh-CN' }) }),
    });
    const lumi = await startLumi(fake);
    render(ConnectionNotice, { context: new Map([[LUMI_CONTEXT, lumi]]) });
    render(StatusPill, { context: new Map([[LUMI_CONTEXT, lumi]]) });
    setConnection(fake, {
      kind: 'reconnecting',
      attempt: 2,
      retryAt: 0,
      cause: { code: 'refused', host: 'localhost', port: 8000 },
    });
    const notice = screen.getByTestId('connection-notice').textContent ?? '';
    expect(notice).toContain('与服务器的连接中断，正在重试。');
    expect(notice).toContain('连接被拒绝：localhost 的 8000 端口上没有服务在监听。');
    expect(notice.replace('localhost', '')).not.toMatch(ENGLISH_WORD);
    const pill = screen.getByTestId('status-pill');
    expect(pill.getAttribute('title')).toBe('连接被拒绝：localhost 的 8000 端口上没有服务在监听。');

    setConnection(fake, {
      kind: 'failed',
      cause: REFUSED,
      gaveUpAfter: 5,
      retryAt: Date.now() + 60_000,
    });
    const failed = screen.getByTestId('connection-notice').textContent ?? '';
    expect(failed).toContain('无法连接到服务器。');
    expect(failed).toContain('已快速尝试 5 次。');
    expect(failed).toContain('之后约每分钟自动重试一次。');
    expect(failed).not.toMatch(ENGLISH_WORD);
    expect(screen.getByTestId('status-text').textContent).toBe('连接失败');
  });
});

describe('assistant indicator and activation banner', () => {
  it('follows the assistant state', async () => {
    const fake = createFakeLumi();
    renderWith(AssistantIndicator, await startLumi(fake));
    for (const next of ['listening', 'thinking', 'speaking', 'idle'] as const) {
      fake.emit({ type: 'assistantChanged', previous: 'idle', next });
      flushSync();
      const indicator = screen.getByTestId('assistant-state');
      expect(indicator.dataset.state).toBe(next);
      expect(indicator.textContent?.toLowerCase()).toContain(next);
    }
  });

  it('shows the activation code with a copy button until the connection is ready', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const fake = createFakeLumi({ snapshot: snapshotFixture({ connection: { kind: 'initial' } }) });
    renderWith(ActivationBanner, await startLumi(fake));
    fake.emit({
      type: 'activationRequired',
      code: '482913',
      message: 'xiaozhi.me\n482913',
      consoleUrl: 'https://xiaozhi.me/console',
    });
    flushSync();
    expect(screen.getByTestId('activation-code').textContent).toBe('482913');
    expect(screen.getByTestId('activation-console').textContent).toBe('https://xiaozhi.me/console');
    await fireEvent.click(screen.getByTestId('activation-copy'));
    expect(writeText).toHaveBeenCalledWith('482913');
    setConnection(fake, {
      kind: 'ready',
      sessionId: 's',
      serverVersion: '1',
      transport: 'websocket',
    });
    expect(screen.queryByTestId('activation-banner')).toBeNull();
  });
});
