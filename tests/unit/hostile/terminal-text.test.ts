/**
 * Server text on a terminal: escape sequences and control characters go, the words stay; JSON
 * lines escape every control character; and the scan stays linear on 256 KB of hostile text.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { jsonLine, terminalSafe } from '../../../main/cli/terminal-text.ts';

describe('terminalSafe', () => {
  it.each([
    ['an OSC 52 clipboard write ended by BEL', 'a\u001b]52;c;cHduZWQ=\u0007b', 'ab'],
    ['an OSC title ended by ST', 'a\u001b]0;owned\u001b\\b', 'ab'],
    ['an OSC that never ends', 'a\u001b]52;c;cHduZWQ=', 'a'],
    ['a screen clear and cursor home', '\u001b[2J\u001b[Hhello', 'hello'],
    ['SGR colours', '\u001b[1;31mred\u001b[0m', 'red'],
    ['an 8-bit CSI', 'up\u009b5A', 'up'],
    ['an 8-bit OSC ended by 8-bit ST', 'x\u009d52;c;AA\u009cy', 'xy'],
    ['a DCS string', 'x\u001bPq#0;2;0;0;0\u001b\\y', 'xy'],
    ['two-character escapes', 'x\u001bcy\u001b7z', 'xyz'],
    ['bell, backspace, carriage return, DEL', 'a\u0007b\u0008c\rd\u007fe', 'abcde'],
    ['newline and tab (kept)', 'line one\n\tline two', 'line one\n\tline two'],
    ['Chinese and emoji (kept)', '你好 😊 «ok»', '你好 😊 «ok»'],
  ])('%s', (_name, text, safe) => {
    expect(terminalSafe(text)).toBe(safe);
  });

  it('stays linear on 256 KB of unterminated sequences', () => {
    const size = 256 * 1024;
    const time = (text: string) => {
      const start = performance.now();
      terminalSafe(text);
      return performance.now() - start;
    };
    time('warm-up \u001b[1m'.repeat(100));
    const benign = Math.max(20, time('plain text '.repeat(size / 11)));
    for (const hostile of [
      '\u001b]'.repeat(size / 2),
      '\u001b['.repeat(size / 2),
      `\u001b[${'0;'.repeat(size / 2)}`,
      `\u001b]${'a'.repeat(size)}`,
    ]) {
      expect(time(hostile)).toBeLessThan(benign * 100);
    }
  });
});

describe('jsonLine', () => {
  it('escapes C0 and C1 controls, and the text reads back exactly', () => {
    const text = 'a\u001b]52;c;AA\u0007b\u009b5Ac';
    const line = jsonLine({ text });
    expect(line.endsWith('\n')).toBe(true);
    // eslint-disable-next-line no-control-regex -- finding control characters is the point
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u0080-\u009f]/);
    expect((JSON.parse(line) as { text: string }).text).toBe(text);
  });
});
