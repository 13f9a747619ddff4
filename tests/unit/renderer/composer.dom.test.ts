import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync, tick, type Component } from 'svelte';
import { describe, expect, it } from 'vitest';
import App from '../../../renderer/src/App.svelte';
import Composer from '../../../renderer/src/components/Composer.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import type { AssistantState } from '../../../shared/assistant.ts';
import { fail } from '../../../shared/result.ts';
import { createFakeLumi, type FakeLumi } from './fake-lumi-api.ts';

async function startLumi(fake: FakeLumi): Promise<Lumi> {
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  return started.value;
}

function renderWith(component: Component, lumi: Lumi): void {
  render(component, { context: new Map([[LUMI_CONTEXT, lumi]]) });
}

async function renderComposer(): Promise<{ fake: FakeLumi; lumi: Lumi }> {
  const fake = createFakeLumi();
  const lumi = await startLumi(fake);
  renderWith(Composer, lumi);
  return { fake, lumi };
}

function setAssistant(fake: FakeLumi, next: AssistantState): void {
  fake.emit({ type: 'assistantChanged', previous: 'idle', next });
  flushSync();
}

const input = (): HTMLTextAreaElement => screen.getByTestId('composer-input');

describe('composer: typing', () => {
  it('sends on Enter, keeps Shift+Enter as a newline, and clears the field', async () => {
    const { fake } = await renderComposer();
    await fireEvent.input(input(), { target: { value: '  what time is it?  ' } });
    await fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true });
    expect(fake.api.sendText).not.toHaveBeenCalled();
    await fireEvent.keyDown(input(), { key: 'Enter' });
    expect(fake.api.sendText).toHaveBeenCalledExactlyOnceWith('what time is it?');
    expect(input().value).toBe('');
  });

  it('does not send while an input method is composing', async () => {
    const { fake } = await renderComposer();
    await fireEvent.input(input(), { target: { value: '你好' } });
    await fireEvent.keyDown(input(), { key: 'Enter', isComposing: true });
    expect(fake.api.sendText).not.toHaveBeenCalled();
  });

  it('sends with the button, which is disabled while the field is empty', async () => {
    const { fake } = await renderComposer();
    const send = screen.getByTestId<HTMLButtonElement>('send-button');
    expect(send.disabled).toBe(true);
    await fireEvent.input(input(), { target: { value: 'hello' } });
    expect(send.disabled).toBe(false);
    await fireEvent.click(send);
    expect(fake.api.sendText).toHaveBeenCalledExactlyOnceWith('hello');
  });

  it('gives the text back and reports it when main refuses it', async () => {
    const { fake, lumi } = await renderComposer();
    fake.api.sendText.mockResolvedValueOnce(fail('outbox_full', { code: 'outboxFull' }));
    await fireEvent.input(input(), { target: { value: 'one more' } });
    await fireEvent.keyDown(input(), { key: 'Enter' });
    await tick();
    await tick();
    expect(input().value).toBe('one more');
    expect(lumi.notices.items.map(lumi.i18n.notice)).toEqual([
      'That did not work: Too many messages are already waiting to be sent.',
    ]);
  });
});

describe('composer: talking', () => {
  it('holds to talk: press starts once, release or leaving stops once', async () => {
    const { fake } = await renderComposer();
    const talk = screen.getByTestId('talk-button');
    await fireEvent.pointerDown(talk, { button: 0 });
    await fireEvent.pointerDown(talk, { button: 0 });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(1);
    expect(talk.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.pointerUp(talk);
    await fireEvent.pointerLeave(talk);
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(1);
    expect(talk.getAttribute('aria-pressed')).toBe('false');

    await fireEvent.pointerDown(talk, { button: 0 });
    await fireEvent.pointerLeave(talk);
    expect(fake.api.startTalking).toHaveBeenCalledTimes(2);
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(2);
    await fireEvent.pointerDown(talk, { button: 2 });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(2);
  });

  it('switches to hands-free, where a tap starts and a tap while listening stops', async () => {
    const { fake } = await renderComposer();
    await fireEvent.click(screen.getByTestId('mode-auto'));
    await tick();
    expect(fake.api.setMode).toHaveBeenCalledExactlyOnceWith('auto');
    const talk = screen.getByTestId('talk-button');
    await fireEvent.click(talk, { detail: 1 });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(1);
    setAssistant(fake, 'listening');
    await fireEvent.click(talk, { detail: 1 });
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(1);
  });

  it('shows a live input meter only while listening', async () => {
    const { fake } = await renderComposer();
    expect(screen.queryByTestId('input-meter')).toBeNull();
    expect(fake.listenerCount()).toBe(1);
    setAssistant(fake, 'listening');
    const meter = screen.getByTestId<HTMLMeterElement>('input-meter');
    expect(fake.listenerCount()).toBe(2);
    fake.emit({ type: 'inputLevel', dbfs: -20, speaking: true });
    flushSync();
    expect(meter.value).toBe(-20);
    expect(meter.classList.contains('speaking')).toBe(true);
    fake.emit({ type: 'inputLevel', dbfs: -95, speaking: false });
    flushSync();
    expect(meter.value).toBe(-60);
    setAssistant(fake, 'thinking');
    await tick();
    expect(screen.queryByTestId('input-meter')).toBeNull();
    expect(fake.listenerCount()).toBe(1);
  });

  it('offers Stop while Lumi speaks, and Stop aborts', async () => {
    const { fake } = await renderComposer();
    expect(screen.queryByTestId('stop-button')).toBeNull();
    setAssistant(fake, 'speaking');
    await fireEvent.click(screen.getByTestId('stop-button'));
    expect(fake.api.abort).toHaveBeenCalledTimes(1);
    setAssistant(fake, 'idle');
    expect(screen.queryByTestId('stop-button')).toBeNull();
  });
});

describe('window keys', () => {
  it('holds Space over the conversation to talk, but not while typing', async () => {
    const fake = createFakeLumi();
    render(App, { props: { lumi: await startLumi(fake) } });
    const list = screen.getByTestId('chat-list');
    await fireEvent.keyDown(list, { key: ' ', code: 'Space' });
    await fireEvent.keyDown(list, { key: ' ', code: 'Space', repeat: true });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(1);
    await fireEvent.keyUp(list, { key: ' ', code: 'Space' });
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(1);

    await fireEvent.keyDown(input(), { key: ' ', code: 'Space' });
    await fireEvent.keyUp(input(), { key: ' ', code: 'Space' });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(1);
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(1);
  });

  it('stops talking when the window loses focus mid-hold', async () => {
    const fake = createFakeLumi();
    render(App, { props: { lumi: await startLumi(fake) } });
    await fireEvent.keyDown(screen.getByTestId('chat-list'), { key: ' ', code: 'Space' });
    expect(fake.api.startTalking).toHaveBeenCalledTimes(1);
    await fireEvent.blur(window);
    expect(fake.api.stopTalking).toHaveBeenCalledTimes(1);
  });

  it('hides the window on Escape, after closing an open link dialog first', async () => {
    const fake = createFakeLumi();
    const lumi = await startLumi(fake);
    render(App, { props: { lumi } });
    lumi.requestLink('https://example.org/');
    flushSync();
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(screen.queryByTestId('link-confirm')).toBeNull();
    expect(fake.api.hideWindow).not.toHaveBeenCalled();
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    expect(fake.api.hideWindow).toHaveBeenCalledTimes(1);
  });
});
