/**
 * The conversation line of every kind of tool call: what Lumi has words for becomes a code the
 * window words; only the tool's own data and the system's text travel as they are.
 */
import { describe, expect, it } from 'vitest';
import { toolCallLine, type ToolCallRecord } from '../../../main/core/mcp/tool-call-record.ts';
import type { Problem } from '../../../shared/problems.ts';

const base = { name: 'self.x', argsSummary: '', resultSummary: 'English for the log', at: 0 };
const call = 'self.x';

describe('toolCallLine', () => {
  it.each<[string, ToolCallRecord, Problem]>([
    [
      'the tool’s own text',
      { ...base, ok: true, summary: { kind: 'text', text: '40' } },
      { code: 'toolCalled', call, result: '40' },
    ],
    [
      'a count of characters',
      { ...base, ok: true, summary: { kind: 'characters', count: 14 } },
      { code: 'toolCalledCharacters', call, count: 14 },
    ],
    [
      'a look at the screen',
      { ...base, ok: true, summary: { kind: 'lookedAtScreen', answer: '一个错误对话框' } },
      { code: 'toolLookedAtScreen', call, answer: '一个错误对话框' },
    ],
    [
      'a photo',
      { ...base, ok: true, summary: { kind: 'tookPhoto', answer: 'a red mug' } },
      { code: 'toolTookPhoto', call, answer: 'a red mug' },
    ],
    [
      'a failure Lumi has words for',
      { ...base, ok: false, failure: 'unavailable' },
      { code: 'toolUnavailable', call },
    ],
    [
      'a refused link',
      { ...base, ok: false, failure: 'linkRefused' },
      { code: 'toolLinkRefused', call },
    ],
    [
      'the system’s error',
      { ...base, ok: false, resultSummary: 'EACCES: permission denied' },
      { code: 'toolFailed', call, result: 'EACCES: permission denied' },
    ],
    [
      'a refusal, even with a failure set',
      { ...base, ok: false, refusal: 'denied', failure: 'unknown' },
      { code: 'toolDenied', call },
    ],
    [
      'arguments, in the call',
      { ...base, argsSummary: 'text.length=3', ok: true, summary: { kind: 'text', text: 'true' } },
      { code: 'toolCalled', call: 'self.x (text.length=3)', result: 'true' },
    ],
  ])('words %s', (_what, record, line) => {
    expect(toolCallLine(record)).toEqual(line);
  });
});
