/**
 * Playwright's configuration for RealWorld's browser specs, as `test:browser` (ops/browser.ts) runs
 * them: it starts the API and the app itself and passes where they are in the environment, so this
 * file only extends the kit's base configuration. Not meant to be run on its own.
 *
 * Debian's Chromium stands in for Playwright's browser builds (which cannot be downloaded here),
 * with the flags that keep it from calling home: without them it floods a closed network with
 * retries. The waits are more generous than upstream's, for a busy 2-core machine; they only wait
 * longer for what the specs already expect, and change no assertion.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { KNOWN_FAILURES_GREP } from './known-failures';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser specs with bun run test:browser`);
  return value;
}

const specDir = required('BROWSER_SPEC_DIR');
// Required, not imported: the kit's files are CommonJS (no package.json says otherwise), which
// Playwright's require hook compiles, while this repository's are ES modules.
const { baseConfig } = createRequire(import.meta.url)(join(specDir, 'playwright.base.ts')) as {
  baseConfig: PlaywrightTestConfig;
};

const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export default defineConfig({
  ...baseConfig,
  testDir: specDir,
  outputDir: required('BROWSER_RESULTS_DIR'),
  workers: 1,
  timeout: 45_000,
  expect: { ...baseConfig.expect, timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: required('BROWSER_REPORT_FILE') }]],
  use: {
    ...baseConfig.use,
    baseURL: required('BROWSER_APP_ORIGIN'),
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: required('BROWSER_CHROMIUM'), args: CHROMIUM_FLAGS },
  },
  // Upstream's one project (Desktop Chrome), split in two: the known failures (ops/browser/known-failures.ts)
  // run once; every other test gets one try more for what a loaded machine can make late, and
  // ops/browser.ts names each test that needed it.
  projects: (baseConfig.projects ?? []).flatMap((project) => [
    { ...project, retries: 1, grepInvert: KNOWN_FAILURES_GREP },
    { ...project, name: `${project.name} (known failures)`, retries: 0, grep: KNOWN_FAILURES_GREP },
  ]),
});
