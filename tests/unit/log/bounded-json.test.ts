import { describe, expect, it } from 'vitest';
import { boundedJson, TOO_DEEP } from '../../../main/core/log/bounded-json.ts';
import { boundText, TRUNCATION_MARK } from '../../../shared/bounded-text.ts';

describe('boundedJson', () => {
  it('writes what JSON.stringify writes for small values', () => {
    const value = { a: [1, 'two', null, true], b: { c: '引号"' } };
    expect(boundedJson(value)).toBe(JSON.stringify(value));
  });

  it('survives a value nested 200 000 deep (JSON.stringify overflows the stack)', () => {
    const depth = 200_000;
    const value: unknown = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(() => JSON.stringify(value)).toThrow(RangeError);
    const text = boundedJson(value, 1_000, 3);
    expect(text).toBe(`[[[${TOO_DEEP}]]]`);
  });

  it('stops writing at its size limit', () => {
    const text = boundedJson({ big: 'x'.repeat(1_000_000), list: new Array(100_000).fill(1) }, 100);
    expect(text).toHaveLength(100);
    expect(text.endsWith(TRUNCATION_MARK)).toBe(true);
  });
});

describe('boundText', () => {
  it('keeps short text and cuts long text to the limit, marked', () => {
    expect(boundText('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(boundText('abcd', 3)).toEqual({ text: `ab${TRUNCATION_MARK}`, truncated: true });
  });

  it('never splits a surrogate pair', () => {
    expect(boundText('a😀bc', 3).text).toBe(`a${TRUNCATION_MARK}`);
  });
});
