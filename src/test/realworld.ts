/**
 * `bun run test:realworld [folder ...]`: runs RealWorld's official API suite (spec 2.0.0, the Bruno
 * collection generated from upstream's Hurl files) against a real listening server, as any RealWorld
 * front end would see it.
 *
 * The suite is read from REALWORLD_SPEC_DIR (default ../shared/realworld, beside the clone); a
 * missing suite is a failure, not a skip. The server gets a database of its own: a fresh one on
 * TEST_DATABASE_URL's server when that is set (dropped afterwards), else an in-memory embedded one.
 * Folders run one after another (later ones build on nothing earlier ones left). Each prints
 * "<folder>: N passed, M failed" with the failing requests; the last line is the total over every
 * request, "N passed, M failed", and the exit code is non-zero when any failed.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database';
import { startServer } from './server';

const ROOT = resolve(import.meta.dir, '../..');
const SPEC_DIR = resolve(ROOT, process.env.REALWORLD_SPEC_DIR ?? '../shared/realworld');
const COLLECTION = join(SPEC_DIR, 'bruno');
const BRU = join(ROOT, 'node_modules/@usebruno/cli/bin/bru.js');

if (!existsSync(join(COLLECTION, 'bruno.json'))) {
  console.error(`The RealWorld suite is not at ${COLLECTION} (set REALWORLD_SPEC_DIR to the folder holding bruno/).`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

/** What Bruno's JSON report says of one request (only the fields read here). */
interface RequestResult {
  test: { filename: string };
  response: { status?: number };
  error?: string | null;
  assertionResults?: Check[];
  testResults?: Check[];
  preRequestTestResults?: Check[];
  postResponseTestResults?: Check[];
}
interface Check {
  status: string;
  description?: string;
  lhsExpr?: string;
  error?: string;
}

/** Why a request failed, one line per failed check; empty when it passed. */
function failures(result: RequestResult): string[] {
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

const folders =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(COLLECTION, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && entry.name !== 'environments')
        .map((entry) => entry.name)
        .sort();

const serverUrl = process.env.TEST_DATABASE_URL;
const database: TestDatabase | undefined = serverUrl
  ? await createTestDatabase(serverUrl, 'conduit_realworld')
  : undefined;
const server = await startServer(database ? { DATABASE_URL: database.url } : {});
const reportDir = mkdtempSync(join(tmpdir(), 'conduit-bruno-'));

let passed = 0;
let failed = 0;
try {
  console.log(`RealWorld suite from ${SPEC_DIR} against ${server.origin} (${database ? 'PostgreSQL' : 'embedded'})`);
  for (const folder of folders) {
    const requests = readdirSync(join(COLLECTION, folder)).filter((name) => name.endsWith('.bru')).length;
    const report = join(reportDir, `${folder}.json`);
    const bru = Bun.spawn(
      [
        process.execPath,
        BRU,
        'run',
        folder,
        '--env',
        'local',
        '--env-var',
        `host=${server.origin}`,
        '--sandbox',
        'safe',
        '--reporter-json',
        report,
      ],
      { cwd: COLLECTION, stdout: 'ignore', stderr: 'pipe' },
    );
    const [exitCode, stderr] = await Promise.all([bru.exited, new Response(bru.stderr).text()]);

    // Without a report Bruno did not run the folder: every request in it counts as failed.
    const results: RequestResult[] = existsSync(report)
      ? ((await Bun.file(report).json()) as { results: RequestResult[] }[]).flatMap((run) => run.results)
      : [];
    const broken = results.map((result) => ({ result, why: failures(result) })).filter(({ why }) => why.length > 0);
    const folderPassed = results.length - broken.length;
    const folderFailed = Math.max(requests - folderPassed, exitCode === 0 ? 0 : 1);
    passed += folderPassed;
    failed += folderFailed;

    console.log(`${folder}: ${folderPassed} passed, ${folderFailed} failed`);
    for (const { result, why } of broken) {
      console.log(`  ✗ ${result.test.filename} (HTTP ${result.response.status ?? '-'})`);
      for (const line of why) console.log(`      ${line}`);
    }
    if (results.length === 0) console.log(`  Bruno exited with code ${exitCode}: ${stderr.trim().slice(-2000)}`);
  }
} finally {
  await server.stop();
  await database?.drop();
  rmSync(reportDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
