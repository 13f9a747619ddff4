/**
 * End-to-end tests: the real renderer in Debian's Chromium (no downloaded browsers), against
 * the browser preview host, the reference server and the real audio devices. Each test starts
 * its own server and preview in the worker (tests/e2e/fixtures.ts), so there is no webServer.
 * `scripts/test.mjs` reads the JSON report named by PLAYWRIGHT_JSON_OUTPUT_NAME.
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH_OPTIONS, WINDOW_SIZE } from './tests/e2e/chromium.ts';

// The reference server skips the real servers' ~1.1 s MCP wait (tests/fixtures/reference-server/knobs.ts).
process.env['LUMI_REFERENCE_MCP_TIMING'] ??= 'fast';

/** Generous: the machine is a shared 2-core box, and a reconnect waits for the backoff. */
const TEST_TIMEOUT_MS = 45_000;
const EXPECT_TIMEOUT_MS = 15_000;

export default defineConfig({
  testDir: 'tests/e2e',
  globalSetup: './tests/e2e/global-setup.ts',
  outputDir: 'test-results/e2e',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: TEST_TIMEOUT_MS,
  expect: { timeout: EXPECT_TIMEOUT_MS },
  reporter: [
    ['list'],
    [
      'json',
      { outputFile: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ?? 'test-results/playwright.json' },
    ],
  ],
  use: {
    browserName: 'chromium',
    viewport: WINDOW_SIZE,
    locale: 'en-US',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH_OPTIONS,
  },
});
