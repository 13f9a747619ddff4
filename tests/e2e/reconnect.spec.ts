/**
 * The server restarts (closing with 1012) and stays down for a while: the window counts down
 * to each reconnect attempt, a message typed meanwhile waits as queued, and once the server is
 * back Lumi is ready again and delivers that message exactly once.
 */
import { expect, saveScreenshot, test, typedTexts, typeMessage } from './fixtures.ts';

/**
 * Longer than the first two retries (0.5–1 s, then 1–2 s, plus the retry the typed message
 * triggers), so the third waits 2–4 s and its countdown passes through "2 s" and "1 s"; short
 * enough that a retry before the fifth (where Lumi gives up) finds the server back.
 */
const DOWN_MS = 4_000;
/** Enough for the 4–8 s fourth retry after a server that came back late. */
const RECONNECT_TIMEOUT_MS = 20_000;

test('a restarted server: countdown, queued message, ready again, delivered once', async ({
  lumi: page,
  server,
}) => {
  const pill = page.getByTestId('status-pill');
  await typeMessage(page, 'before the restart');
  await expect(page.getByTestId('message-assistant')).toHaveAttribute('data-status', 'done');
  await expect(pill).toHaveAttribute('data-state', 'ready');

  // Every text the pill shows from here on, in order.
  const pillTexts: string[] = [];
  await page.exposeFunction('recordPillText', (text: string) => pillTexts.push(text));
  await page.evaluate(() => {
    const record = window as unknown as { recordPillText(text: string): void };
    const text = document.querySelector('[data-testid="status-text"]');
    if (text === null) throw new Error('no status text');
    new MutationObserver(() => record.recordPillText(text.textContent ?? '')).observe(text, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  });

  const restarted = server.restart({ downMs: DOWN_MS });
  await expect(pill).toHaveAttribute('data-state', 'reconnecting');
  await expect(page.getByTestId('connection-notice')).toBeVisible();

  await typeMessage(page, 'while the server is down');
  const queued = page.getByTestId('message-user').filter({ hasText: 'while the server is down' });
  await expect(queued.getByTestId('message-status')).toHaveText('Waiting to send');

  await expect(page.getByTestId('status-text')).toHaveText(/^Retrying in \d+ s$/);
  await saveScreenshot(page, 'reconnecting');

  await restarted;
  await expect(pill).toHaveAttribute('data-state', 'ready', { timeout: RECONNECT_TIMEOUT_MS });
  await expect(queued.getByTestId('message-status')).toHaveCount(0);
  await expect(page.getByTestId('message-assistant')).toHaveCount(2);
  await expect(page.getByTestId('message-assistant').last()).toContainText(
    'while the server is down',
  );

  // The pill counted down: some attempt showed "2 s" and then "1 s".
  const two = pillTexts.indexOf('Retrying in 2 s');
  expect(two).toBeGreaterThanOrEqual(0);
  expect(pillTexts.indexOf('Retrying in 1 s', two)).toBeGreaterThan(two);
  expect(pillTexts.at(-1)).toBe('Ready');

  // Each message reached the server exactly once, the queued one only after the restart.
  expect(typedTexts(server)).toEqual(['before the restart', 'while the server is down']);
  const delivered = server.received.find((r) => r.message?.text === 'while the server is down');
  const firstConnection = server.received.find((r) => r.message?.text === 'before the restart');
  expect(delivered?.connection).toBeGreaterThan(firstConnection?.connection ?? Infinity);
});
