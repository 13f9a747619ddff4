/**
 * Server text reaches a few text scanners (the activation message, chat links). Each must stay
 * linear on 256 KB of adversarial input: the old regexes took seconds (quadratic backtracking).
 * The hang limit is 100× the time the same scanner takes on benign text of the same size, with
 * a floor, so the test holds on a loaded machine and still fails on a quadratic scan.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { activationPrompt } from '../../../main/core/ota/activation.ts';
import { splitLinks } from '../../../renderer/src/lib/links.ts';

const SIZE = 256 * 1024;
const FLOOR_MS = 20;

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

/** Time of `adversarial` against 100× the time of `benign` (both run after a warm-up). */
function expectLinear(scan: (text: string) => unknown, benign: string, adversarial: string): void {
  scan(benign.slice(0, 1_000));
  const expected = Math.max(
    FLOOR_MS,
    timed(() => scan(benign)),
  );
  const took = timed(() => scan(adversarial));
  expect(took).toBeLessThan(expected * 100);
}

const activation = (message: string) =>
  activationPrompt({ code: '123456', message, challenge: 'c', timeoutMs: null });

describe('server text is scanned in linear time', () => {
  it('activation message: a 256 KB run of letters, of dotted labels, of digits', () => {
    const benign = '请登录控制面板 '.repeat(SIZE / 8);
    expectLinear(activation, benign, 'a'.repeat(SIZE));
    expectLinear(activation, benign, 'a.'.repeat(SIZE / 2) + '1');
    expectLinear(activation, benign, '1.'.repeat(SIZE / 2));
    expectLinear(activation, benign, 'https://'.repeat(SIZE / 8));
  });

  it('activation message: still finds the console address', () => {
    expect(activation('xiaozhi.me\n123456').consoleUrl).toBe('https://xiaozhi.me');
    expect(activation('控制面板 192.168.1.5:8002，输入 123456').consoleUrl).toBe(
      'http://192.168.1.5:8002',
    );
    expect(activation('请访问 https://example.com/console。').consoleUrl).toBe(
      'https://example.com/console',
    );
    expect(activation('no address here').consoleUrl).toBeNull();
  });

  it('chat links: a URL followed by 256 KB of punctuation, and many URL starts', () => {
    const benign = '这是一个很长的回答。'.repeat(SIZE / 10);
    expectLinear(splitLinks, benign, `https://example.com/${'.,'.repeat(SIZE / 2)}x`);
    expectLinear(splitLinks, benign, `https://example.com/${'。'.repeat(SIZE)}`);
    expectLinear(splitLinks, benign, 'https://a '.repeat(SIZE / 10));
  });

  it('chat links: trailing punctuation is still trimmed', () => {
    const segments = splitLinks('see https://example.com/a).');
    expect(segments).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a', url: 'https://example.com/a' },
      { kind: 'text', text: ').' },
    ]);
  });
});
