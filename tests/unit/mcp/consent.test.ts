import { describe, expect, it } from 'vitest';
import type { ToolPrompt } from '../../../shared/ipc.ts';
import {
  allowListPrompt,
  ConsentGate,
  CONSENT_TIMEOUT,
  type ConsentPrompt,
} from '../../../main/core/mcp/consent.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

function gate(prompt: ConsentPrompt, clock = new ManualClock()) {
  return new ConsentGate({
    chosen: (tool) => (tool === 'self.notify' ? 'deny' : undefined),
    prompt,
    clock,
  });
}

const request = (tool: string): ToolPrompt => ({ id: '1', tool, summary: '', expiresAt: 0 });

describe('ConsentGate', () => {
  it('prefers the user choice over the tool default', () => {
    const consent = gate(() => Promise.resolve(true));
    expect(consent.consentFor('self.notify', 'allow')).toBe('deny');
    expect(consent.consentFor('self.time.now', 'allow')).toBe('allow');
    expect(consent.consentFor('self.clipboard.get_text', 'ask')).toBe('ask');
  });

  it('passes the answer through', async () => {
    expect(
      await gate(() => Promise.resolve(true)).ask('t', 's', new AbortController().signal),
    ).toBe('allowed');
    expect(
      await gate(() => Promise.resolve(false)).ask('t', 's', new AbortController().signal),
    ).toBe('refused');
    expect(
      await gate(() => Promise.resolve('busy')).ask('t', 's', new AbortController().signal),
    ).toBe('busy');
  });

  it('denies on timeout and ignores a late yes', async () => {
    const clock = new ManualClock();
    let answer: (allowed: boolean) => void = () => undefined;
    const consent = gate(() => new Promise((resolve) => (answer = resolve)), clock);
    const decision = consent.ask('t', 's', new AbortController().signal);
    clock.advance(CONSENT_TIMEOUT);
    answer(true);
    expect(await decision).toBe('refused');
    expect(clock.pendingTimers).toBe(0);
  });

  it('denies when the caller gives up, and clears its timer', async () => {
    const clock = new ManualClock();
    const caller = new AbortController();
    let promptSignal: AbortSignal | null = null;
    const consent = gate((_request, signal) => {
      promptSignal = signal;
      return new Promise(() => undefined);
    }, clock);
    const decision = consent.ask('t', 's', caller.signal);
    caller.abort();
    expect(await decision).toBe('refused');
    expect((promptSignal as AbortSignal | null)?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('denies at once when asked with an aborted signal', async () => {
    const caller = new AbortController();
    caller.abort();
    let asked = false;
    const consent = gate(() => {
      asked = true;
      return Promise.resolve(true);
    });
    expect(await consent.ask('t', 's', caller.signal)).toBe('refused');
    expect(asked).toBe(false);
  });
});

describe('allowListPrompt (the CLI --allow-tools)', () => {
  it('allows the listed tools in either spelling and nothing else', async () => {
    const signal = new AbortController().signal;
    const prompt = allowListPrompt(['self.clipboard.get_text', 'self_screen_take_screenshot']);
    expect(await prompt(request('self.clipboard.get_text'), signal)).toBe(true);
    expect(await prompt(request('self.screen.take_screenshot'), signal)).toBe(true);
    expect(await prompt(request('self.clipboard.set_text'), signal)).toBe(false);
    expect(await allowListPrompt([])(request('self.clipboard.get_text'), signal)).toBe(false);
  });
});
