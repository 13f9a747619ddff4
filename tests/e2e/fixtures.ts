/**
 * What every end-to-end test gets: its own reference server and its own browser preview (the
 * real core with a fresh data folder, the real built renderer), both in this worker on free
 * ports, and the page opened on the preview with the window drawn.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as base, type Page } from '@playwright/test';
import { startPreview, type Preview } from '../../main/preview/start-preview.ts';
import {
  startReferenceServer,
  type Knobs,
  type ReceivedRecord,
  type ReferenceServer,
} from '../fixtures/reference-server.ts';
import { RENDERER_VARIABLE } from './global-setup.ts';

/** Screenshots of the main states, kept as CI artefacts. */
const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'screenshots');

export interface LumiFixtures {
  /** Knobs the test's reference server starts with (`test.use({ knobs: … })`). */
  readonly knobs: Partial<Knobs>;
  readonly server: ReferenceServer;
  readonly preview: Preview;
  /** The page, showing the Lumi window served by `preview`. */
  readonly lumi: Page;
}

export const test = base.extend<LumiFixtures>({
  knobs: [{}, { option: true }],
  server: async ({ knobs }, use) => {
    const server = await startReferenceServer(knobs);
    await use(server);
    await server.stop();
  },
  preview: async ({ server }, use) => {
    const logged: string[] = [];
    const preview = await startPreview({
      url: server.url,
      port: 0,
      rendererDir: process.env[RENDERER_VARIABLE],
      log: (line) => logged.push(line),
    });
    await use(preview);
    await preview.close();
    // The host logs only refusals and failures, so anything here is worth seeing with the test.
    if (logged.length > 0) console.log(`preview host:\n  ${logged.join('\n  ')}`);
  },
  lumi: async ({ page, preview }, use) => {
    // The preview's URL carries the bridge secret in its fragment (#token=…).
    await page.goto(preview.url);
    await expect(page.getByTestId('status-pill')).toBeVisible();
    await use(page);
  },
});

export { expect };

/** Saves a screenshot of the window under test-results/screenshots/. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** The typed texts the server received (`listen` `detect`), in order. */
export function typedTexts(server: ReferenceServer): string[] {
  return server.received
    .filter(
      (record: ReceivedRecord) => record.type === 'listen' && record.message?.state === 'detect',
    )
    .map((record) => String(record.message?.text));
}

/** Types a message into the composer and sends it with Enter, as a user does. */
export async function typeMessage(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}
