/**
 * The settings view: changes are stored by the core and survive a reload of the window, and
 * "Test connection" runs the doctor against the reference server and lists its steps.
 */
import { expect, saveScreenshot, test } from './fixtures.ts';

const NEW_VOLUME = 35;

test('a changed volume and cue setting are kept across a reload', async ({
  lumi: page,
  preview,
}) => {
  await page.getByTestId('settings-button').click();
  const volume = page.getByTestId('audio-volume');
  const cues = page.getByTestId('audio-cues');
  await expect(cues).toBeChecked();
  expect(Number(await volume.inputValue())).not.toBe(NEW_VOLUME);

  await volume.fill(String(NEW_VOLUME));
  await cues.uncheck();
  await expect(page.getByTestId('settings-audio')).toContainText(`${NEW_VOLUME}`);

  // Stored by the core, not only shown by the page.
  await expect
    .poll(async () => {
      const settings = await preview.core.handlers['settings:get'](undefined);
      return { volume: settings.volume, cues: settings.cues };
    })
    .toEqual({ volume: NEW_VOLUME, cues: false });

  await page.reload();
  await page.getByTestId('settings-button').click();
  await expect(page.getByTestId('audio-volume')).toHaveValue(String(NEW_VOLUME));
  await expect(page.getByTestId('audio-cues')).not.toBeChecked();
});

test('"Test connection" lists the doctor steps against the server', async ({ lumi: page }) => {
  await page.getByTestId('settings-button').click();
  await page.getByTestId('doctor-run').click();

  const steps = page.getByTestId('doctor-step');
  await expect(page.getByTestId('doctor-steps')).toBeVisible();
  // A plain WebSocket profile: no OTA or activation; the socket, hello and MCP are checked.
  await expect(steps.and(page.locator('[data-step="websocket"]'))).toHaveAttribute(
    'data-outcome',
    'ok',
  );
  await expect(steps.and(page.locator('[data-step="hello"]'))).toHaveAttribute(
    'data-outcome',
    'ok',
  );
  await expect(steps.and(page.locator('[data-step="ota"]'))).toHaveAttribute(
    'data-outcome',
    'skipped',
  );
  await expect(page.getByTestId('doctor-fix')).toHaveCount(0);
  await page.getByTestId('settings-doctor').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'settings');
});
