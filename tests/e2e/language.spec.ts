/**
 * A window in Chinese meets an unreachable server: every word the notice and the status pill
 * show is Chinese (the cause comes from the core as a code with its host and port, and the
 * window words it), not a Chinese sentence followed by an English one.
 */
import { expect, test, typeMessage } from './fixtures.ts';

/** Three or more Latin letters in a row: English prose (the host is taken out first). */
const ENGLISH_WORD = /[A-Za-z]{3,}/;

test.use({ locale: 'zh-CN' });

test('a Chinese window explains a refused connection in Chinese only', async ({
  lumi: page,
  server,
}) => {
  const pill = page.getByTestId('status-pill');
  await typeMessage(page, '你好');
  await expect(pill).toHaveAttribute('data-state', 'ready');

  // The server goes away; the next message finds nothing listening on its port.
  await server.stop();
  await typeMessage(page, '还在吗');
  const notice = page.getByTestId('connection-notice');
  await expect(notice).toContainText('与服务器的连接中断，正在重试。');
  await expect(notice).toContainText('连接被拒绝：127.0.0.1 的');
  const text = (await notice.textContent()) ?? '';
  expect(text.replaceAll('127.0.0.1', '')).not.toMatch(ENGLISH_WORD);
  expect(await pill.getAttribute('title')).toMatch(/^连接被拒绝：127\.0\.0\.1 的 \d+ 端口/);
  await expect(page.getByTestId('status-text')).toHaveText(/^(\d+ 秒后重试|重新连接中…)$/);
});
