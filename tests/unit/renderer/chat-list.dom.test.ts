import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { flushSync, tick, type Component } from 'svelte';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ChatList from '../../../renderer/src/components/ChatList.svelte';
import LinkConfirm from '../../../renderer/src/components/LinkConfirm.svelte';
import { APPEND_BATCH_MS } from '../../../renderer/src/state/chat-history.svelte.ts';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { ChatMessage } from '../../../shared/chat.ts';
import { thumbnailDataUrl } from '../../../main/core/vision/picture.ts';
import { createFakeLumi, messageFixture, NOW, type FakeLumi } from './fake-lumi-api.ts';

const VIEWPORT_HEIGHT = 560;
/** The virtual list's default height for rows it has not measured (jsdom measures none). */
const ESTIMATED_ROW_HEIGHT = 64;

async function startLumi(fake: FakeLumi): Promise<Lumi> {
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  return started.value;
}

function renderWith(component: Component, lumi: Lumi): void {
  render(component, { context: new Map([[LUMI_CONTEXT, lumi]]) });
}

/** Lets pending promise callbacks (API answers) run, then applies Svelte's updates. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  flushSync();
}

function renderedRows(): HTMLElement[] {
  return [...screen.getByTestId('chat-list').querySelectorAll<HTMLElement>('[data-row-key]')];
}

function history(count: number): ChatMessage[] {
  return Array.from({ length: count }, (_, index) =>
    messageFixture({
      id: `m${index}`,
      role: index % 2 === 0 ? 'user' : 'assistant',
      text: `message number ${index}`,
      createdAt: NOW + index,
    }),
  );
}

// jsdom does no layout: give the chat viewport the window's height so the virtual list has
// something to fill (rows keep their estimated height, as unmeasured rows do in the app).
let clientHeight: PropertyDescriptor | undefined;
beforeEach(() => {
  clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.dataset.testid === 'chat-list' ? VIEWPORT_HEIGHT : 0;
    },
  });
});
afterEach(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, 'clientHeight', clientHeight);
});

describe('chat list', () => {
  it('streams a reply sentence by sentence into one bubble, keyed by message id', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    const sentences = ['Hello there.', ' The weather is fine.', ' Anything else?'];
    let text = '';
    let first: HTMLElement | null = null;
    for (const sentence of sentences) {
      text += sentence;
      fake.emit({
        type: 'messageUpserted',
        message: messageFixture({ id: 'reply-1', text, status: 'streaming', emotion: 'laughing' }),
      });
      flushSync();
      const bubbles = screen.getAllByTestId('message-assistant');
      expect(bubbles).toHaveLength(1);
      first ??= bubbles[0] ?? null;
      expect(bubbles[0]).toBe(first);
    }
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({ id: 'reply-1', text, status: 'done', emotion: 'laughing' }),
    });
    flushSync();
    const bubble = screen.getByTestId('message-assistant');
    expect(bubble.textContent).toContain('Hello there. The weather is fine. Anything else?');
    expect(bubble.dataset.status).toBe('done');
    expect(within(bubble).getByTestId('message-emotion').textContent).toBe('😆');
  });

  it('appends a flood of sentences to the open bubble in batches, re-rendering it a few times', async () => {
    const fake = createFakeLumi();
    const lumi = await startLumi(fake);
    renderWith(ChatList, lumi);
    const opened = messageFixture({ id: 'reply-2', text: '', status: 'streaming' });
    fake.emit({ type: 'messageUpserted', message: opened });
    flushSync();
    let versions = 0;
    let last: unknown = null;
    const count = (): void => {
      const row = lumi.chat.rows.at(-1);
      if (row !== last) versions += 1;
      last = row;
    };
    const appended = (n: number) => (n === 0 ? `Sentence ${n}.` : ` Sentence ${n}.`);
    for (let n = 0; n < 2_000; n += 1) {
      fake.emit({
        type: 'messageAppended',
        id: 'reply-2',
        conversationId: opened.conversationId,
        text: appended(n),
        updatedAt: NOW,
        truncated: n === 1_999,
      });
      count();
    }
    await new Promise((resolve) => setTimeout(resolve, APPEND_BATCH_MS * 2));
    flushSync();
    count();
    const expected = Array.from({ length: 2_000 }, (_, n) => appended(n)).join('');
    const bubble = screen.getByTestId('message-assistant');
    expect(bubble.textContent).toContain(expected);
    expect(lumi.chat.rows.at(-1)).toMatchObject({ message: { text: expected, truncated: true } });
    // Two thousand sentences, one new version of the row: the batch.
    expect(versions).toBeLessThanOrEqual(3);
    // The whole reply when it settles replaces whatever was still waiting to be shown.
    fake.emit({
      type: 'messageAppended',
      id: 'reply-2',
      conversationId: opened.conversationId,
      text: ' stale',
      updatedAt: NOW,
      truncated: false,
    });
    fake.emit({ type: 'messageUpserted', message: { ...opened, text: 'Final.', status: 'done' } });
    await new Promise((resolve) => setTimeout(resolve, APPEND_BATCH_MS * 2));
    flushSync();
    expect(screen.getByTestId('message-assistant').textContent).toContain('Final.');
    expect(screen.getByTestId('message-assistant').textContent).not.toContain('stale');
  });

  it('shows typed text as queued, sending, expired and failed, and Resend calls retrySend', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    const item = { id: 'out-7', text: 'turn on the light', createdAt: NOW, error: null };
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'queued' } });
    flushSync();
    expect(screen.getByTestId('message-status').textContent).toContain('Waiting to send');
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'sending' } });
    flushSync();
    expect(screen.getByTestId('message-status').textContent).toContain('Sending');
    // On the wire: too late to take back or rewrite.
    expect(screen.queryByTestId('cancel-send')).toBeNull();
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'expired' } });
    flushSync();
    expect(screen.getAllByTestId('message-user')).toHaveLength(1);
    expect(screen.getByTestId('message-status').textContent).toContain('Not sent — resend?');
    await fireEvent.click(screen.getByTestId('retry-send'));
    expect(fake.api.retrySend).toHaveBeenCalledWith('out-7');
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'failed' } });
    flushSync();
    expect(screen.getByTestId('message-status').textContent).toContain('No answer');
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'sent' } });
    flushSync();
    expect(screen.queryByTestId('retry-send')).toBeNull();
  });

  it('shows a refused message with the server’s words and no resend', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    const item = { id: 'out-8', text: 'a long text', createdAt: NOW };
    fake.emit({
      type: 'outboxChanged',
      item: {
        ...item,
        status: 'refused',
        error: { code: 'messageRefused', text: 'Error: detect is for wake words' },
      },
    });
    flushSync();
    expect(screen.getByTestId('message-status').textContent).toContain(
      'The server refused it: Error: detect is for wake words',
    );
    expect(screen.queryByTestId('retry-send')).toBeNull();
  });

  it('cancels and edits a queued message through the API', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    const item = { id: 'out-9', text: 'lights on', createdAt: NOW, error: null };
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'queued' } });
    flushSync();
    await fireEvent.click(screen.getByTestId('edit-send'));
    const input = screen.getByTestId<HTMLTextAreaElement>('edit-send-input');
    expect(input.value).toBe('lights on');
    await fireEvent.input(input, { target: { value: 'lights off' } });
    await fireEvent.click(screen.getByTestId('edit-send-save'));
    expect(fake.api.editSend).toHaveBeenCalledWith('out-9', 'lights off');
    await tick();
    expect(screen.queryByTestId('edit-send-input')).toBeNull();
    await fireEvent.click(screen.getByTestId('cancel-send'));
    expect(fake.api.cancelSend).toHaveBeenCalledWith('out-9');
    fake.emit({ type: 'outboxChanged', item: { ...item, status: 'cancelled' } });
    flushSync();
    expect(screen.getByTestId('message-status').textContent).toContain('cancelled');
    expect(screen.queryByTestId('cancel-send')).toBeNull();
  });

  it('draws system, alert, tool lines and task progress rows', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({
        id: 'a1',
        role: 'system',
        systemKind: 'alert',
        text: 'Low battery',
      }),
    });
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({
        id: 't1',
        role: 'system',
        systemKind: 'tool',
        text: 'self.audio_speaker.set_volume(50)',
      }),
    });
    fake.emit({
      type: 'taskUpdated',
      task: { id: 'k1', title: 'Download', progress: 0.4, state: 'running', message: null },
    });
    flushSync();
    const lines = screen.getAllByTestId('message-system');
    expect(lines.map((line) => line.dataset.kind)).toEqual(['alert', 'tool']);
    expect(screen.getByTestId('task-row').textContent).toContain('40%');
    fake.emit({
      type: 'taskUpdated',
      task: { id: 'k1', title: 'Download', progress: 1, state: 'completed', message: 'Saved' },
    });
    flushSync();
    const task = screen.getByTestId('task-row');
    expect(screen.getAllByTestId('task-row')).toHaveLength(1);
    expect(task.dataset.state).toBe('completed');
    expect(task.textContent).toContain('Saved');
  });

  it('shows the screen picture Lumi sent with its tool line, enlarged on a click', async () => {
    const fake = createFakeLumi();
    renderWith(ChatList, await startLumi(fake));
    const thumbnail = thumbnailDataUrl({
      width: 2,
      height: 2,
      data: new Uint8Array(new Array<number[]>(4).fill([0x33, 0x66, 0x99, 0xff]).flat()),
    });
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({
        id: 's1',
        role: 'system',
        systemKind: 'tool',
        text: 'Tool self.screen.take_screenshot: looked at the screen: a terminal',
        image: thumbnail,
      }),
    });
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({
        id: 's2',
        role: 'system',
        systemKind: 'tool',
        text: 'not a picture of ours',
        image: 'data:image/svg+xml;base64,PHN2Zy8+',
      }),
    });
    flushSync();
    const pictures = screen.getAllByTestId('message-picture');
    expect(pictures).toHaveLength(1);
    const [picture] = pictures;
    expect(picture?.querySelector('img')?.getAttribute('src')).toBe(thumbnail);
    expect(picture?.getAttribute('aria-pressed')).toBe('false');
    if (picture) await fireEvent.click(picture);
    expect(picture?.getAttribute('aria-pressed')).toBe('true');
  });

  it('keeps far fewer rows in the DOM than 10 000 messages, and follows the newest', async () => {
    const fake = createFakeLumi();
    const lumi = await startLumi(fake);
    renderWith(ChatList, lumi);
    for (const message of history(10_000)) fake.emit({ type: 'messageUpserted', message });
    flushSync();
    const rows = renderedRows();
    expect(lumi.chat.rows).toHaveLength(10_000);
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows.at(-1)?.dataset.rowKey).toBe('message:m9999');

    const viewport = screen.getByTestId('chat-list');
    viewport.scrollTop = 0;
    await fireEvent.scroll(viewport);
    flushSync();
    expect(renderedRows()[0]?.dataset.rowKey).toBe('message:m0');
    expect(renderedRows().length).toBeLessThan(40);
    expect(screen.getByTestId('jump-to-latest')).toBeTruthy();
  });

  it('loads the newest page first and the previous page when scrolled to the top', async () => {
    const fake = createFakeLumi({ history: history(120) });
    const lumi = await startLumi(fake);
    expect(fake.api.historyPage).toHaveBeenLastCalledWith(null, 50);
    expect(lumi.chat.rows).toHaveLength(50);
    renderWith(ChatList, lumi);
    const viewport = screen.getByTestId('chat-list');
    viewport.scrollTop = 0;
    await fireEvent.scroll(viewport);
    await settle();
    expect(fake.api.historyPage).toHaveBeenCalledTimes(2);
    expect(fake.api.historyPage).toHaveBeenLastCalledWith('m70', 50);
    expect(lumi.chat.rows).toHaveLength(100);
    expect(lumi.chat.rows[0]?.key).toBe('message:m20');
    // The row that was at the top stays at the top: 50 older rows of the estimated 64 px.
    expect(viewport.scrollTop).toBe(50 * ESTIMATED_ROW_HEIGHT);
    expect(renderedRows().map((row) => row.dataset.rowKey)).toContain('message:m70');
  });

  it('follows new messages at the bottom, and stays put once the user scrolled up', async () => {
    const fake = createFakeLumi({ history: history(30) });
    renderWith(ChatList, await startLumi(fake));
    const viewport = screen.getByTestId('chat-list');
    flushSync();
    expect(viewport.scrollTop).toBe(30 * ESTIMATED_ROW_HEIGHT);
    fake.emit({ type: 'messageUpserted', message: messageFixture({ id: 'new-1', text: 'hi' }) });
    flushSync();
    expect(viewport.scrollTop).toBe(31 * ESTIMATED_ROW_HEIGHT);

    viewport.scrollTop = 5 * ESTIMATED_ROW_HEIGHT;
    await fireEvent.scroll(viewport);
    fake.emit({ type: 'messageUpserted', message: messageFixture({ id: 'new-2', text: 'yo' }) });
    flushSync();
    expect(viewport.scrollTop).toBe(5 * ESTIMATED_ROW_HEIGHT);
    await fireEvent.click(screen.getByTestId('jump-to-latest'));
    flushSync();
    expect(viewport.scrollTop).toBe(32 * ESTIMATED_ROW_HEIGHT);
  });

  it('turns only https links into links, and opens one only after confirmation', async () => {
    const fake = createFakeLumi();
    const lumi = await startLumi(fake);
    renderWith(ChatList, lumi);
    renderWith(LinkConfirm, lumi);
    fake.emit({
      type: 'messageUpserted',
      message: messageFixture({
        id: 'r1',
        text: 'See https://example.org/docs?q=1. Not http://plain.test or javascript:alert(1)',
      }),
    });
    flushSync();
    const links = screen.getAllByTestId('message-link');
    expect(links.map((link) => link.getAttribute('href'))).toEqual([
      'https://example.org/docs?q=1',
    ]);
    expect(screen.getByTestId('message-assistant').textContent).toContain('http://plain.test');

    await fireEvent.click(links[0] as HTMLElement);
    expect(fake.api.openLink).not.toHaveBeenCalled();
    expect(screen.getByTestId('link-confirm-url').textContent).toBe('https://example.org/docs?q=1');
    await fireEvent.click(screen.getByText('Cancel'));
    expect(screen.queryByTestId('link-confirm')).toBeNull();
    expect(fake.api.openLink).not.toHaveBeenCalled();

    await fireEvent.click(links[0] as HTMLElement);
    await fireEvent.click(screen.getByTestId('link-confirm-open'));
    expect(fake.api.openLink).toHaveBeenCalledExactlyOnceWith('https://example.org/docs?q=1');
  });

  it('refuses to ask about anything but an https link', async () => {
    const lumi = await startLumi(createFakeLumi());
    lumi.requestLink('http://example.org/');
    lumi.requestLink('file:///etc/passwd');
    lumi.requestLink('javascript:alert(1)');
    expect(lumi.pendingLink).toBeNull();
  });
});
