/**
 * A typed turn through the whole stack: the composer, the bridge, the core's session, the
 * reference server's paced reply, and the reply streaming sentence by sentence into one bubble.
 */
import { defaultReplyFor } from '../fixtures/reference-server.ts';
import { expect, saveScreenshot, test, typedTexts, typeMessage } from './fixtures.ts';

const TEXT = 'Hello Lumi';
const [FIRST, SECOND] = defaultReplyFor(TEXT) as [string, string];

test('a typed message gets its reply, sentence by sentence, in one assistant bubble', async ({
  lumi: page,
  server,
}) => {
  // Every change to the assistant bubbles, as the user would have seen it.
  const seen: string[][] = [];
  await page.exposeFunction('recordAssistantBubbles', (texts: string[]) => seen.push(texts));
  await page.evaluate(() => {
    const record = window as unknown as { recordAssistantBubbles(texts: string[]): void };
    const snapshot = () =>
      Array.from(document.querySelectorAll('[data-testid="message-assistant"] .bubble')).map(
        (bubble) => bubble.textContent?.trim() ?? '',
      );
    let last = '';
    new MutationObserver(() => {
      const texts = snapshot();
      if (JSON.stringify(texts) === last) return;
      last = JSON.stringify(texts);
      record.recordAssistantBubbles(texts);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });

  await typeMessage(page, TEXT);

  await expect(page.getByTestId('message-user')).toContainText(TEXT);
  await expect(page.getByTestId('status-pill')).toHaveAttribute('data-state', 'ready');
  const reply = page.getByTestId('message-assistant');
  await expect(reply).toHaveAttribute('data-status', 'done');
  await expect(reply).toHaveCount(1);
  await expect(reply.locator('.bubble')).toHaveText(`${FIRST}${SECOND}`);

  // The first sentence was on screen alone before the second joined it, in the same bubble.
  expect(seen.every((texts) => texts.length <= 1)).toBe(true);
  const shown = seen.map((texts) => texts[0] ?? '');
  const firstAlone = shown.findIndex((text) => text === FIRST);
  const both = shown.findIndex((text) => text === `${FIRST}${SECOND}`);
  expect(firstAlone).toBeGreaterThanOrEqual(0);
  expect(both).toBeGreaterThan(firstAlone);
  expect(shown.some((text) => text.startsWith(SECOND))).toBe(false);

  expect(typedTexts(server)).toEqual([TEXT]);
  await saveScreenshot(page, 'chat-reply');
});
