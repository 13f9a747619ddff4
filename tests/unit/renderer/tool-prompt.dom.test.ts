import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import ToolPromptList from '../../../renderer/src/components/ToolPromptList.svelte';
import { LUMI_CONTEXT } from '../../../renderer/src/state/context.ts';
import { Lumi } from '../../../renderer/src/state/lumi.svelte.ts';
import { urlSummary } from '../../../main/core/mcp/desktop-tools.ts';
import { thumbnailDataUrl } from '../../../main/core/vision/picture.ts';
import { createFakeLumi, NOW, type FakeLumi } from './fake-lumi-api.ts';

async function renderPrompts(): Promise<FakeLumi> {
  const fake = createFakeLumi();
  const started = await Lumi.start(fake.api, 'en-US');
  if (!started.ok) throw new Error(started.message);
  render(ToolPromptList, { context: new Map([[LUMI_CONTEXT, started.value]]) });
  return fake;
}

function prompt(fake: FakeLumi, id: string, seconds: number): void {
  fake.emit({
    type: 'toolPrompted',
    prompt: {
      id,
      tool: 'self.audio_speaker.set_volume',
      summary: 'Set the speaker volume to 30',
      expiresAt: NOW + seconds * 1000,
    },
  });
  flushSync();
}

afterEach(() => {
  vi.useRealTimers();
});

/** The core's own thumbnail of a small #336699 picture. */
const THUMBNAIL = thumbnailDataUrl({
  width: 4,
  height: 2,
  data: new Uint8Array(new Array<number[]>(8).fill([0x33, 0x66, 0x99, 0xff]).flat()),
});

describe('tool consent prompt', () => {
  it('shows the screen picture that will be sent, the question and the host it goes to', async () => {
    const fake = await renderPrompts();
    fake.emit({
      type: 'toolPrompted',
      prompt: {
        id: 'p-screen',
        tool: 'self.screen.take_screenshot',
        summary: 'question="what does this error mean?"',
        expiresAt: NOW + 20_000,
        preview: { thumbnail: THUMBNAIL, destination: 'xiaozhi.example:8003' },
      },
    });
    flushSync();
    const image = screen.getByTestId('tool-preview');
    expect(THUMBNAIL).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(image.getAttribute('src')).toBe(THUMBNAIL);
    expect(image.getAttribute('alt')).toBe('The picture that will be sent');
    expect(screen.getByTestId('tool-destination').textContent).toContain(
      'Sent to xiaozhi.example:8003',
    );
    expect(screen.getByTestId('tool-prompt').textContent).toContain('what does this error mean?');
    await fireEvent.click(screen.getByTestId('tool-allow-always'));
    expect(fake.api.answerTool).toHaveBeenCalledExactlyOnceWith('p-screen', true);
    expect(fake.api.setToolConsent).toHaveBeenCalledExactlyOnceWith(
      'self.screen.take_screenshot',
      'allow',
    );
  });

  it('shows no picture for a call that sends none', async () => {
    const fake = await renderPrompts();
    prompt(fake, 'p-plain', 15);
    expect(screen.queryByTestId('tool-preview')).toBeNull();
    expect(screen.getByTestId('tool-allow').textContent).toContain('Allow once');
  });

  it('asks with a countdown, and Allow answers allow', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(NOW);
    const fake = await renderPrompts();
    prompt(fake, 'p1', 15);
    expect(screen.getByTestId('tool-prompt').textContent).toContain('Set the speaker volume to 30');
    expect(screen.getByTestId('tool-countdown').textContent).toContain('15 s');
    vi.advanceTimersByTime(4_000);
    flushSync();
    expect(screen.getByTestId('tool-countdown').textContent).toContain('11 s');
    await fireEvent.click(screen.getByTestId('tool-allow'));
    expect(fake.api.answerTool).toHaveBeenCalledExactlyOnceWith('p1', true);
    expect(screen.queryByTestId('tool-prompt')).toBeNull();
  });

  it('Deny answers deny', async () => {
    const fake = await renderPrompts();
    prompt(fake, 'p2', 15);
    await fireEvent.click(screen.getByTestId('tool-deny'));
    expect(fake.api.answerTool).toHaveBeenCalledExactlyOnceWith('p2', false);
  });

  it('disappears when main closes it (answered elsewhere or expired)', async () => {
    const fake = await renderPrompts();
    prompt(fake, 'p3', 15);
    prompt(fake, 'p4', 15);
    expect(screen.getAllByTestId('tool-prompt')).toHaveLength(2);
    fake.emit({ type: 'toolPromptClosed', id: 'p3' });
    flushSync();
    const left = screen.getAllByTestId('tool-prompt');
    expect(left.map((item) => item.dataset.promptId)).toEqual(['p4']);
    expect(fake.api.answerTool).not.toHaveBeenCalled();
  });

  it('shows the whole host of a link to open, however long, so a look-alike cannot pass', async () => {
    const fake = await renderPrompts();
    const host = 'www.paypal.com.account-security-check.example';
    fake.emit({
      type: 'toolPrompted',
      prompt: {
        id: 'p9',
        tool: 'self.system.open_url',
        // What the open_url tool puts in its prompt for this link.
        summary: `url=${urlSummary(`https://${host}/signin/${'x'.repeat(120)}?s=1`)}`,
        expiresAt: NOW + 15_000,
      },
    });
    flushSync();
    const shown = screen.getByTestId('tool-prompt').textContent ?? '';
    expect(shown).toContain(`https://${host}/signin/`);
    expect(shown).not.toContain('?s=1');
  });
});
