/** The window's pure helpers: list geometry, link finding, strings and emotion faces. */
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en.ts';
import { resolveLocale, translate } from '../../../renderer/src/i18n/translate.ts';
import { zhCN } from '../../../renderer/src/i18n/zh-CN.ts';
import { isSafeLink, splitLinks } from '../../../renderer/src/lib/links.ts';
import { RowLayout } from '../../../renderer/src/lib/virtual-layout.ts';
import { EMOTION_EMOJI, emojiForEmotion, FALLBACK_EMOJI } from '../../../shared/emotion.ts';

describe('row layout', () => {
  const heights = new Map([
    ['b', 100],
    ['d', 10],
  ]);
  const layout = new RowLayout(['a', 'b', 'c', 'd'], (key) => heights.get(key), 50);

  it('places rows by measured heights and the estimate for the rest', () => {
    expect([0, 1, 2, 3, 4].map((index) => layout.offsetOf(index))).toEqual([0, 50, 150, 200, 210]);
    expect(layout.total).toBe(210);
    expect(layout.indexOfKey('c')).toBe(2);
  });

  it('finds the row under a position, clamping past either end', () => {
    expect(layout.indexAt(-5)).toBe(0);
    expect(layout.indexAt(49.9)).toBe(0);
    expect(layout.indexAt(50)).toBe(1);
    expect(layout.indexAt(199)).toBe(2);
    expect(layout.indexAt(5000)).toBe(3);
  });

  it('renders the rows in view plus the overscan', () => {
    expect(layout.range(60, 100, 0)).toEqual({ start: 1, end: 3 });
    expect(layout.range(60, 100, 1)).toEqual({ start: 0, end: 4 });
    expect(new RowLayout([], () => undefined, 50).range(0, 500, 3)).toEqual({ start: 0, end: 0 });
  });

  it('builds the next layout from the last one: rows added at the end, a row re-measured', () => {
    const sizes = new Map([['b', 100]]);
    const keys = ['a', 'b', 'c'];
    const first = new RowLayout(keys, (key) => sizes.get(key), 50);
    keys.push('d');
    sizes.set('c', 20);
    const next = first.next(keys, (key) => sizes.get(key), 50, 2);
    expect([0, 1, 2, 3, 4].map((index) => next.offsetOf(index))).toEqual([0, 50, 150, 170, 220]);
    expect(next.indexOfKey('d')).toBe(3);
    // Rows added before the others: a full build, every row where it now is.
    const older = next.next(['z', ...keys], (key) => sizes.get(key), 50, Infinity);
    expect(older.indexOfKey('a')).toBe(1);
    expect(older.total).toBe(270);
  });

  it('adds rows one by one to the same geometry a full build gives', () => {
    const sizes = (key: string) => (key.endsWith('3') ? 30 : undefined);
    const keys: string[] = [];
    let layout = new RowLayout(keys, sizes, 10);
    for (let index = 0; index < 40; index += 1) {
      keys.push(`r${index}`);
      layout = layout.next(keys, sizes, 10, Infinity);
    }
    const full = new RowLayout(keys, sizes, 10);
    expect(layout.total).toBe(full.total);
    expect(layout.offsetOf(23)).toBe(full.offsetOf(23));
    expect(layout.indexAt(full.offsetOf(33) + 1)).toBe(33);
  });

  it('stays small for 10 000 rows in a 560 px window', () => {
    const keys = Array.from({ length: 10_000 }, (_, index) => `m${index}`);
    const big = new RowLayout(keys, () => undefined, 64);
    const { start, end } = big.range(big.total - 560, 560, 6);
    expect(end).toBe(10_000);
    expect(end - start).toBeLessThan(25);
  });
});

describe('links in chat text', () => {
  it('links https URLs only, trimming sentence punctuation', () => {
    const segments = splitLinks(
      'Docs: https://example.org/a_(b)?x=1。 Also http://x.test, https://ok.test/.',
    );
    expect(segments.filter((s) => s.kind === 'link').map((s) => s.text)).toEqual([
      'https://example.org/a_(b)?x=1',
      'https://ok.test/',
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(
      'Docs: https://example.org/a_(b)?x=1。 Also http://x.test, https://ok.test/.',
    );
  });

  it('accepts exactly the https scheme', () => {
    expect(isSafeLink('https://example.org/')).toBe(true);
    expect(isSafeLink('HTTPS://EXAMPLE.ORG/')).toBe(true);
    for (const url of [
      'http://example.org/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https:',
    ]) {
      expect(isSafeLink(url)).toBe(false);
    }
  });
});

describe('strings', () => {
  const placeholders = (text: string): string[] =>
    [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

  it('has the same placeholders in every language', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('follows the system language unless the settings name one', () => {
    expect(resolveLocale('system', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale('system', 'zh-TW')).toBe('zh-CN');
    expect(resolveLocale('system', 'de-DE')).toBe('en');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
  });

  it('fills placeholders', () => {
    expect(translate('en', 'status.reconnectingIn', { seconds: 3 })).toBe('Retrying in 3 s');
    expect(translate('zh-CN', 'status.reconnectingIn', { seconds: 3 })).toBe('3 秒后重试');
  });
});

describe('emotion faces', () => {
  it('covers every emotion the xiaozhi servers send, with a fallback', () => {
    const names = [
      'funny',
      'crying',
      'angry',
      'sad',
      'loving',
      'surprised',
      'shocked',
      'thinking',
      'relaxed',
      'sleepy',
      'silly',
      'confused',
      'neutral',
      'happy',
      'laughing',
      'embarrassed',
      'winking',
      'cool',
      'delicious',
      'kissy',
      'confident',
    ];
    expect(Object.keys(EMOTION_EMOJI).sort()).toEqual([...names].sort());
    expect(new Set(Object.values(EMOTION_EMOJI)).size).toBe(names.length);
    expect(emojiForEmotion('Crying ')).toBe('😭');
    expect(emojiForEmotion('bored')).toBe(FALLBACK_EMOJI);
    expect(emojiForEmotion(null)).toBe(FALLBACK_EMOJI);
  });
});
