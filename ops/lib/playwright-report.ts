/**
 * Reads Playwright's JSON report (its `json` reporter) into one outcome per test, for harnesses that
 * judge the results themselves (ops/browser.ts).
 */

export interface TestOutcome {
  /** The full title as Playwright's list reporter prints it: file › describe › … › test. */
  title: string;
  /** Playwright's verdict over every try: passed first time, failed every time, passed on a retry, skipped. */
  status: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  /** The last try's error, first line (without terminal colours). */
  error?: string;
  /** Screenshots Playwright kept for the tries that failed. */
  screenshots: string[];
}

/** The parts of the report read here. */
interface Suite {
  title: string;
  specs?: { title: string; tests: Test[] }[];
  suites?: Suite[];
}
interface Test {
  status: TestOutcome['status'];
  results: {
    error?: { message?: string };
    attachments?: { name: string; contentType: string; path?: string }[];
  }[];
}
interface Report {
  suites: Suite[];
  errors?: { message?: string }[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are what it removes
const COLOURS = /\u001b\[[0-9;]*m/g;

export async function readReport(file: string): Promise<TestOutcome[]> {
  const report = (await Bun.file(file).json()) as Report;
  const outcomes: TestOutcome[] = [];
  const walk = (suite: Suite, path: string[]) => {
    const here = suite.title ? [...path, suite.title] : path;
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) outcomes.push(outcome([...here, spec.title].join(' › '), test));
    }
    for (const child of suite.suites ?? []) walk(child, here);
  };
  for (const suite of report.suites) walk(suite, []);
  // Errors outside any test (a spec file that does not load, say) count as failed tests.
  for (const error of report.errors ?? []) {
    outcomes.push({
      title: 'outside any test',
      status: 'unexpected',
      error: firstLine(error.message),
      screenshots: [],
    });
  }
  return outcomes;
}

function outcome(title: string, test: Test): TestOutcome {
  const last = test.results.at(-1);
  const screenshots = test.results.flatMap((result) =>
    (result.attachments ?? [])
      .filter((attachment) => attachment.contentType.startsWith('image/') && attachment.path)
      .map((attachment) => attachment.path as string),
  );
  return { title, status: test.status, error: firstLine(last?.error?.message), screenshots };
}

function firstLine(message: string | undefined): string | undefined {
  return message?.replace(COLOURS, '').trim().split('\n')[0];
}
