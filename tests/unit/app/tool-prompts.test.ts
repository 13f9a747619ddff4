import { describe, expect, it } from 'vitest';
import type { AppEvent, ToolPrompt } from '../../../shared/ipc.ts';
import { ToolPrompts } from '../../../main/core/app/tool-prompts.ts';

const request = (id: string): ToolPrompt => ({
  id,
  tool: 'self.clipboard.get_text',
  summary: '',
  expiresAt: 0,
});

describe('ToolPrompts', () => {
  it('shows one question at a time: the others are answered busy without being shown', async () => {
    const events: AppEvent[] = [];
    const pointed: string[] = [];
    const prompts = new ToolPrompts(
      (event) => events.push(event),
      (prompt) => pointed.push(prompt.id),
    );
    const signal = new AbortController().signal;
    const first = prompts.prompt(request('1'), signal);
    expect(await prompts.prompt(request('2'), signal)).toBe('busy');
    expect(await prompts.prompt(request('3'), signal)).toBe('busy');
    expect(prompts.open().map((p) => p.id)).toEqual(['1']);
    expect(events.map((e) => e.type)).toEqual(['toolPrompted']);
    expect(pointed).toEqual(['1']);

    prompts.answer('1', true);
    expect(await first).toBe(true);
    // Answered: the next question is shown.
    const next = prompts.prompt(request('4'), signal);
    expect(prompts.open().map((p) => p.id)).toEqual(['4']);
    prompts.answer('4', false);
    expect(await next).toBe(false);
  });

  it('frees the slot when a question is withdrawn', async () => {
    const prompts = new ToolPrompts(
      () => undefined,
      () => undefined,
    );
    const withdrawn = new AbortController();
    const first = prompts.prompt(request('1'), withdrawn.signal);
    withdrawn.abort();
    expect(await first).toBe(false);
    void prompts.prompt(request('2'), new AbortController().signal);
    expect(prompts.open().map((p) => p.id)).toEqual(['2']);
  });
});
