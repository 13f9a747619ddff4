import { describe, expect, it } from 'vitest';
import { trayLabels } from '../../../main/electron/tray-labels.ts';
import { en } from '../../../renderer/src/i18n/en.ts';
import { translate, type MessageKey } from '../../../renderer/src/i18n/translate.ts';

const CJK = /[\u4e00-\u9fff]/;
const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();

/** What main shows itself (tray, OS notifications, dialogs) and the keystore warning. */
const MAIN_KEYS = (Object.keys(en) as MessageKey[]).filter((key) =>
  /^(tray|os|secrets)\./.test(key),
);

describe('the words main shows itself come from the window’s tables', () => {
  it('covers the tray, the notifications, the dialogs and the keystore warning', () => {
    expect(MAIN_KEYS).toEqual(
      expect.arrayContaining([
        'tray.quit',
        'os.toolPrompt',
        'os.exportTitle',
        'secrets.noEncryption',
      ]),
    );
  });

  it.each(MAIN_KEYS)('%s has Chinese words with the same placeholders', (key) => {
    const chinese = translate('zh-CN', key);
    expect(chinese).toMatch(CJK);
    expect(chinese).not.toBe(translate('en', key));
    expect(placeholders(chinese)).toEqual(placeholders(translate('en', key)));
  });

  it('gives the tray the table’s words for the language setting, the system’s for `system`', () => {
    expect(trayLabels('zh-CN', 'en-US').quit).toBe(translate('zh-CN', 'tray.quit'));
    expect(trayLabels('system', 'zh-TW').reconnecting(2)).toBe('重连中（第 2 次）');
    expect(trayLabels('system', 'de-DE').states.activation).toBe('Activation needed');
  });
});
