/**
 * `bun run test:browser`: RealWorld's official browser specs (Playwright) drive the reference front
 * end (Angular) in Debian's Chromium against this API, as a reader of the site would.
 *
 * The kit is read from REALWORLD_SPEC_DIR (default ../shared/realworld, beside the clone), under
 * browser/: its README says what is in it. Without it the run is skipped (exit 0), so a plain clone
 * still passes. The API runs as its own process on a fresh database (on TEST_DATABASE_URL's server
 * when set, dropped afterwards; else an in-memory embedded one); a small server in this process
 * serves the app and forwards /api to it, on one origin; the demo data the specs expect is created
 * through the API; then Playwright runs the specs (ops/browser/playwright.config.ts).
 *
 * `bun run test:browser [playwright arguments]`: spec files or `--grep` run a part of them.
 *
 * The specs listed in ops/browser/known-failures.ts must fail, with the reason given there; every
 * other test must pass. Failed tests keep their screenshots under .browser-results/tests/ (the log
 * names each file); the API's own log is .browser-results/api.log. The last line is "N passed, M failed" (known failures are in neither count); the exit
 * code is non-zero when M is.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import type { Subprocess } from 'bun';
import { KNOWN_FAILURES } from './browser/known-failures';
import { serveApp } from './lib/app-server';
import { createDemoData } from './lib/browser-demo';
import { databaseIfServer, ROOT } from './lib/cli';
import { readReport, type TestOutcome } from './lib/playwright-report';
import { SPEC_DIR } from './lib/realworld-suite';
import { startServer } from './lib/server';

const KIT = join(SPEC_DIR, 'browser');
const RESULTS = join(ROOT, '.browser-results');
const REPORT = join(RESULTS, 'report.json');
const API_LOG = join(RESULTS, 'api.log');
const CONFIG = join(import.meta.dir, 'browser/playwright.config.ts');
const PLAYWRIGHT = join(ROOT, 'node_modules/@playwright/test/cli.js');

function finish(passed: number, failed: number): never {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

export async function main(): Promise<never> {
  if (!existsSync(join(KIT, 'e2e/playwright.base.ts')) || !existsSync(join(KIT, 'app/index.html'))) {
    console.log(
      `skipped: RealWorld's browser kit is not in ${KIT} (set REALWORLD_SPEC_DIR to the folder holding browser/e2e and browser/app).`,
    );
    finish(0, 0);
  }
  const chromium = process.env.CHROMIUM_PATH || Bun.which('chromium');
  const node = Bun.which('node');
  if (!chromium || !node) {
    console.error(
      chromium
        ? 'Node.js is not installed: Playwright runs its specs on Node.'
        : 'Chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM_PATH).',
    );
    finish(0, 1);
  }

  /** Arguments are passed to Playwright (spec files, `--grep`): a partial run, for working on one spec. */
  const selection = process.argv.slice(2);
  const started = Date.now();
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const database = await databaseIfServer('conduit_browser');
  // The write limit stays at its default (per account: no reader comes near it). The limit per client
  // address on sign-ups and logins is off: every spec signs a new person up, all from this one address,
  // about 40 a minute, which no front end's real readers do from one address.
  const server = await startServer(
    {
      WRITE_RATE_LIMIT: '',
      AUTH_RATE_LIMIT: '0',
      ...(database && { DATABASE_URL: database.url }),
    },
    { logFile: API_LOG },
  );
  // The API must outlive the run: if it ends first, every later test would fail for that reason
  // alone, slowly, so the run stops there (Playwright still reports the tests it ran).
  let stopping = false;
  let apiDied: string | undefined;
  let playwright: Subprocess | undefined;
  server.process.exited.then(() => {
    if (stopping) return;
    apiDied = `the API process ended during the run (exit code ${server.process.exitCode}, signal ${server.process.signalCode ?? 'none'}); its log: ${relative(ROOT, API_LOG)}`;
    console.error(apiDied);
    playwright?.kill('SIGINT');
  });
  const app = serveApp(join(KIT, 'app'), server.origin);

  let outcomes: TestOutcome[] | undefined;
  let exitCode = -1;
  try {
    const demo = await createDemoData(app.origin);
    console.log(
      `Browser specs from ${join(KIT, 'e2e')}: the app and the API on ${app.origin} ` +
        `(${database ? 'PostgreSQL' : 'embedded'}), ${chromium}; demo data: ${demo.users} users, ` +
        `${demo.articles} articles, ${demo.comments} comments`,
    );
    playwright = Bun.spawn([node, PLAYWRIGHT, 'test', '--config', CONFIG, ...selection], {
      cwd: ROOT,
      env: {
        ...process.env,
        // The specs import @playwright/test from the kit's folder, which has no node_modules of its own.
        NODE_PATH: join(ROOT, 'node_modules'),
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
        TEST_MODE: 'spa',
        API_BASE: `${app.origin}/api`,
        BROWSER_APP_ORIGIN: app.origin,
        BROWSER_SPEC_DIR: join(KIT, 'e2e'),
        BROWSER_CHROMIUM: chromium,
        BROWSER_RESULTS_DIR: join(RESULTS, 'tests'),
        BROWSER_REPORT_FILE: REPORT,
      },
      stdout: 'inherit',
      stderr: 'inherit',
    });
    exitCode = await playwright.exited;
    outcomes = existsSync(REPORT) ? await readReport(REPORT) : undefined;
  } catch (error) {
    console.error(error);
  } finally {
    stopping = true;
    app.stop();
    await server.stop();
    await database?.drop();
  }

  if (!outcomes || outcomes.length === 0) {
    console.log(
      exitCode < 0 ? 'The specs did not run.' : `Playwright exited with code ${exitCode} and reported no tests.`,
    );
    finish(0, 1);
  }
  const [passed, failed] = summarize(outcomes, selection.length > 0, started);
  if (apiDied) console.log(`Failed: ${apiDied}`);
  finish(passed, failed + (apiDied ? 1 : 0));
}

if (import.meta.main) await main();

/** Prints the verdict on every test that did not simply pass; returns [passed, failed]. */
function summarize(tests: TestOutcome[], partial: boolean, started: number): [number, number] {
  const knownFailures = new Map(KNOWN_FAILURES.map((known) => [known.test, known]));
  const seen = new Set(tests.map((test) => test.title));
  const failures: string[] = [];
  const knownFailed: string[] = [];
  const flaky: string[] = [];
  let passed = 0;
  let skipped = 0;
  for (const test of tests) {
    const known = knownFailures.get(test.title);
    if (test.status === 'skipped') skipped++;
    else if (known && test.status === 'unexpected') knownFailed.push(`  ${test.title}\n      ${known.reason}`);
    else if (known?.sometimesPasses) knownFailed.push(`  ${test.title} (passed this time)\n      ${known.reason}`);
    else if (known) failures.push(`  ${test.title}: passes now; take it off ops/browser/known-failures.ts`);
    else if (test.status === 'unexpected') failures.push(`  ${test.title}\n${evidence(test)}`);
    else {
      passed++;
      if (test.status === 'flaky') flaky.push(`  ${test.title}`);
    }
  }
  for (const title of knownFailures.keys()) {
    if (!partial && !seen.has(title))
      failures.push(`  ${title}: listed in ops/browser/known-failures.ts, but no such test ran`);
  }

  const load = loadavg()[0]?.toFixed(1);
  console.log(
    `\nBrowser specs: ${((Date.now() - started) / 60_000).toFixed(1)} min in all (load average ${load} on ${availableParallelism()} cores)`,
  );
  if (skipped > 0) console.log(`${skipped} skipped by the specs themselves`);
  if (flaky.length > 0) console.log(`Passed on their second try (counted as passed):\n${flaky.join('\n')}`);
  if (knownFailed.length > 0)
    console.log(`Known failures, not counted (ops/browser/known-failures.ts):\n${knownFailed.join('\n')}`);
  if (failures.length > 0) console.log(`Failed:\n${failures.join('\n')}`);
  return [passed, failures.length];
}

function evidence(test: TestOutcome): string {
  const lines = [`      ${test.error ?? 'no error message'}`];
  for (const file of test.screenshots) lines.push(`      screenshot: ${relative(ROOT, file)}`);
  return lines.join('\n');
}
