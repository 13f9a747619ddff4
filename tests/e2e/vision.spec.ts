/**
 * "Look at my screen" in the real window (Chromium): the typed turn makes the server's model
 * call self.screen.take_screenshot, the prompt shows the picture of the real Xvfb screen that
 * will be sent — decoded by Chromium under the window's CSP — and where it goes; Allow once
 * sends it, and the reply names what the vision endpoint saw.
 */
import { missingX11Tools, startPaintedXvfb, type XDisplay } from '../helpers/xvfb.ts';
import { expect, saveScreenshot, test, typeMessage } from './fixtures.ts';

let x: XDisplay | null = null;
const savedDisplay = process.env['DISPLAY'];

test.beforeAll(async () => {
  if (missingX11Tools.length > 0 && !process.env['CI']) return;
  x = await startPaintedXvfb();
  // The preview host captures the display named here (it starts after this, per test).
  process.env['DISPLAY'] = x.display;
});

test.afterAll(() => {
  x?.stop();
  if (savedDisplay === undefined) delete process.env['DISPLAY'];
  else process.env['DISPLAY'] = savedDisplay;
});

test('the prompt shows the screen picture before it is sent; Allow once sends it', async ({
  lumi: page,
  server,
}) => {
  if (x === null) {
    // On CI a missing X server or tool is a failure, never a silent skip (.ci/run installs them).
    const missing = `not installed: ${missingX11Tools.join(', ')}`;
    if (process.env['CI']) throw new Error(`the X11 tools are required on CI: ${missing}`);
    test.skip(true, missing);
  }
  await typeMessage(page, '看看我的屏幕上有什么');

  const preview = page.getByTestId('tool-preview');
  await expect(preview).toBeVisible();
  // Chromium decoded the thumbnail: a real JPEG, allowed by the window's img-src.
  const size = await preview.evaluate((img: HTMLImageElement) => [
    img.naturalWidth,
    img.naturalHeight,
  ]);
  expect(size).toEqual([320, 180]);
  await expect(page.getByTestId('tool-destination')).toContainText(`127.0.0.1:${server.port}`);
  await expect(page.getByTestId('tool-prompt')).toContainText('看看我的屏幕上有什么');
  expect(server.visionRequests).toEqual([]);
  await saveScreenshot(page, 'screen-prompt');

  await page.getByTestId('tool-allow').click();
  await expect(page.getByTestId('message-assistant').last()).toContainText('图片 JPEG 1280x720');
  await expect(page.getByTestId('message-picture')).toBeVisible();
  expect(server.visionRequests.map((r) => r.status)).toEqual([200]);
});
