/**
 * RealWorld's official API suite (spec 2.0.0: the Bruno collection generated from upstream's Hurl
 * files), run with @usebruno/cli against a server that is already listening. Used by
 * `test:realworld` (ops/realworld.ts) and `test:compat` (ops/compat.ts).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dir, '../..');
const BRU = join(ROOT, 'node_modules/@usebruno/cli/bin/bru.js');

/** Where the suite is: REALWORLD_SPEC_DIR, else ../shared/realworld beside the clone. */
export const SPEC_DIR = resolve(ROOT, process.env.REALWORLD_SPEC_DIR ?? '../shared/realworld');
const COLLECTION = join(SPEC_DIR, 'bruno');

/** Whether the suite is there to run; the runners fail (not skip) when it is not. */
export function suiteIsPresent(): boolean {
  return existsSync(join(COLLECTION, 'bruno.json'));
}

/** The suite's folders (one per area of the API), in the order they run. */
export function suiteFolders(): string[] {
  return readdirSync(COLLECTION, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'environments')
    .map((entry) => entry.name)
    .sort();
}

/** One request of the suite: `folder/file.bru`, and why it failed (empty when it passed). */
export interface RequestOutcome {
  request: string;
  status: number | undefined;
  failures: string[];
}

export interface FolderOutcome {
  folder: string;
  /** Every request file in the folder; those Bruno did not report (it crashed, say) count as failed. */
  outcomes: RequestOutcome[];
  /** Bruno's own error output when it ran nothing. */
  error?: string;
}

/** What Bruno's JSON report says of one request (only the fields read here). */
interface BrunoResult {
  test: { filename: string };
  response: { status?: number };
  error?: string | null;
  assertionResults?: BrunoCheck[];
  testResults?: BrunoCheck[];
  preRequestTestResults?: BrunoCheck[];
  postResponseTestResults?: BrunoCheck[];
}
interface BrunoCheck {
  status: string;
  description?: string;
  lhsExpr?: string;
  error?: string;
}

function failures(result: BrunoResult): string[] {
  const checks = [
    ...(result.assertionResults ?? []),
    ...(result.testResults ?? []),
    ...(result.preRequestTestResults ?? []),
    ...(result.postResponseTestResults ?? []),
  ];
  const failed = checks
    .filter((check) => check.status !== 'pass')
    .map((check) => `${check.lhsExpr ?? check.description ?? 'check'}: ${check.error ?? check.status}`);
  return result.error ? [result.error, ...failed] : failed;
}

/** Runs one folder of the suite against `origin` (e.g. http://127.0.0.1:3000, without /api). */
export async function runFolder(folder: string, origin: string): Promise<FolderOutcome> {
  const files = readdirSync(join(COLLECTION, folder))
    .filter((name) => name.endsWith('.bru'))
    .map((name) => `${folder}/${name}`);
  const reportDir = mkdtempSync(join(tmpdir(), 'conduit-bruno-'));
  const report = join(reportDir, 'report.json');
  try {
    const bru = Bun.spawn(
      [
        process.execPath,
        BRU,
        'run',
        folder,
        '--env',
        'local',
        '--env-var',
        `host=${origin}`,
        '--sandbox',
        'safe',
      ].concat(['--reporter-json', report]),
      { cwd: COLLECTION, stdout: 'ignore', stderr: 'pipe' },
    );
    const [exitCode, stderr] = await Promise.all([bru.exited, new Response(bru.stderr).text()]);
    const results: BrunoResult[] = existsSync(report)
      ? ((await Bun.file(report).json()) as { results: BrunoResult[] }[]).flatMap((run) => run.results)
      : [];
    const reported = new Map(results.map((result) => [result.test.filename, result]));
    const outcomes = files.map((request): RequestOutcome => {
      const result = reported.get(request);
      if (!result) return { request, status: undefined, failures: ['not run'] };
      return { request, status: result.response.status, failures: failures(result) };
    });
    const error =
      results.length === 0 ? `Bruno exited with code ${exitCode}: ${stderr.trim().slice(-2000)}` : undefined;
    return { folder, outcomes, error };
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

/** Prints a folder's line ("auth: 20 passed, 0 failed") and each failed request with its reasons. */
export function printFolder({ folder, outcomes, error }: FolderOutcome): void {
  const failed = outcomes.filter((outcome) => outcome.failures.length > 0);
  console.log(`${folder}: ${outcomes.length - failed.length} passed, ${failed.length} failed`);
  for (const outcome of failed) {
    console.log(`  ✗ ${outcome.request} (HTTP ${outcome.status ?? '-'})`);
    for (const line of outcome.failures) console.log(`      ${line}`);
  }
  if (error) console.log(`  ${error}`);
}
