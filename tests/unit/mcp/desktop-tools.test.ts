import { afterEach, describe, expect, it } from 'vitest';
import {
  checkOpenableUrl,
  localIsoTime,
  urlSummary,
} from '../../../main/core/mcp/desktop-tools.ts';
import { SUMMARY_STRING_LIMIT } from '../../../main/core/mcp/device-tool.ts';

const originalTz = process.env['TZ'];

afterEach(() => {
  if (originalTz === undefined) delete process.env['TZ'];
  else process.env['TZ'] = originalTz;
});

describe('localIsoTime', () => {
  const instant = Date.UTC(2026, 10, 21, 11, 5, 30, 250);

  it('gives local time with a positive offset', () => {
    process.env['TZ'] = 'Asia/Shanghai';
    expect(localIsoTime(instant)).toBe('2026-11-21T19:05:30.250+08:00');
  });

  it('gives local time with a negative and a half-hour offset', () => {
    process.env['TZ'] = 'America/New_York';
    expect(localIsoTime(instant)).toBe('2026-11-21T06:05:30.250-05:00');
    process.env['TZ'] = 'Asia/Kolkata';
    expect(localIsoTime(instant)).toBe('2026-11-21T16:35:30.250+05:30');
    process.env['TZ'] = 'UTC';
    expect(localIsoTime(instant)).toBe('2026-11-21T11:05:30.250+00:00');
  });

  it('denotes the same instant', () => {
    process.env['TZ'] = 'Australia/Adelaide';
    expect(Date.parse(localIsoTime(instant))).toBe(instant);
  });
});

describe('checkOpenableUrl', () => {
  it('accepts https links', () => {
    expect(checkOpenableUrl('https://example.org/path?q=1').href).toBe(
      'https://example.org/path?q=1',
    );
  });

  it.each([
    'http://example.org',
    'ftp://example.org',
    'data:text/html,hi',
    'lumi://x',
    'https://a@example.org',
  ])('refuses %s', (url) => {
    expect(() => checkOpenableUrl(url)).toThrow();
  });
});

describe('urlSummary (what the open_url prompt shows)', () => {
  it('keeps the whole host however long, and cuts only the path', () => {
    const host = 'www.paypal.com.account-security-check.example';
    const path = `/signin/${'x'.repeat(200)}`;
    const summary = urlSummary(`https://${host}${path}?session=secret#frag`);
    expect(summary.startsWith(`https://${host}/signin/`)).toBe(true);
    expect(summary).toBe(`https://${host}${path.slice(0, SUMMARY_STRING_LIMIT)}…`);
    expect(summary).not.toContain('secret');
  });

  it('keeps the port and punycode of a host as the browser will see it', () => {
    expect(urlSummary('https://exаmple.com:8443/a')).toBe('https://xn--exmple-4nf.com:8443/a');
  });
});
