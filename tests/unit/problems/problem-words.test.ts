import { describe, expect, it } from 'vitest';
import {
  translate,
  translateDoctorNote,
  translateProblem,
  type Locale,
} from '../../../renderer/src/i18n/translate.ts';
import {
  describeDoctorNote,
  DOCTOR_ENGLISH,
  DOCTOR_NOTE_CODES,
} from '../../../shared/doctor-notes.ts';
import { describeProblem, PROBLEM_ENGLISH } from '../../../shared/problem-english.ts';
import { PROBLEM_CODES, sameProblem } from '../../../shared/problems.ts';

const LOCALES: readonly Locale[] = ['en', 'zh-CN'];
const CJK = /[\u4e00-\u9fff]/;

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

describe('every problem code has words', () => {
  it('lists a healthy number of codes, each once', () => {
    expect(PROBLEM_CODES.length).toBeGreaterThan(40);
    expect(new Set(PROBLEM_CODES).size).toBe(PROBLEM_CODES.length);
  });

  it.each(PROBLEM_CODES)('%s: English for the CLI and logs, and both window languages', (code) => {
    const cli = PROBLEM_ENGLISH[code];
    expect(cli.trim()).not.toBe('');
    expect(cli).not.toBe(code);
    const windowText = Object.fromEntries(
      LOCALES.map((locale) => [locale, translate(locale, `problem.${code}`)]),
    );
    for (const locale of LOCALES) {
      const text = windowText[locale] ?? '';
      expect(text.trim(), locale).not.toBe('');
      expect(text, locale).not.toBe(`problem.${code}`);
    }
    expect(windowText.en).toBe(cli);
    expect(windowText['zh-CN']).not.toBe(cli);
    expect(windowText['zh-CN']).toMatch(CJK);
    // The same parameters fill both languages, so neither shows a raw `{name}`.
    expect(placeholders(windowText['zh-CN'] ?? '')).toEqual(placeholders(cli));
  });
});

describe('wording a problem', () => {
  const refused = { code: 'refused', host: 'localhost', port: 8000 } as const;

  it('fills the parameters in English and in Chinese', () => {
    expect(describeProblem(refused)).toBe(
      'Connection refused: nothing is listening at localhost port 8000.',
    );
    expect(translateProblem('zh-CN', refused)).toBe(
      '连接被拒绝：localhost 的 8000 端口上没有服务在监听。',
    );
  });

  it('keeps text that is not ours (the server’s words) as it is', () => {
    expect(translateProblem('zh-CN', { code: 'serverError', text: 'LLM quota exceeded' })).toBe(
      '服务器报告了错误：LLM quota exceeded',
    );
  });

  it('tells problems apart by code and parameters, not by object identity', () => {
    expect(sameProblem(refused, { port: 8000, host: 'localhost', code: 'refused' })).toBe(true);
    expect(sameProblem(refused, { ...refused, port: 8001 })).toBe(false);
    expect(sameProblem({ code: 'turnTimedOut' }, { code: 'noMicrophone' })).toBe(false);
  });
});

describe('every "Test connection" note has words', () => {
  it.each(DOCTOR_NOTE_CODES)('%s: English for the CLI, and both window languages', (code) => {
    const cli = DOCTOR_ENGLISH[code];
    expect(cli.trim()).not.toBe('');
    expect(translate('en', `doctor.note.${code}`)).toBe(cli);
    const chinese = translate('zh-CN', `doctor.note.${code}`);
    expect(chinese).not.toBe(`doctor.note.${code}`);
    expect(chinese).toMatch(CJK);
    expect(placeholders(chinese)).toEqual(placeholders(cli));
  });

  it('words a problem note from the problems’ tables, and names the failed step', () => {
    const note = { code: 'problem', problem: { code: 'otaRefused', host: 'nas:8003' } } as const;
    expect(describeDoctorNote(note)).toBe(
      'Connection refused by nas:8003: nothing is listening on that port.',
    );
    expect(translateDoctorNote('zh-CN', note)).toBe(
      'nas:8003 拒绝了连接：该端口上没有服务在监听。',
    );
    const notRun = { code: 'notRun', after: 'ota' } as const;
    expect(describeDoctorNote(notRun)).toBe('Not run: the ota step failed.');
    expect(translateDoctorNote('zh-CN', notRun)).toBe('未运行：“OTA 请求”一步失败了。');
  });
});
