/**
 * `bun run test:realworld [folder ...]`: runs RealWorld's official API suite (see
 * ./realworld-suite.ts) against a real listening server, as any RealWorld front end would see it.
 *
 * The suite is read from REALWORLD_SPEC_DIR (default ../shared/realworld, beside the clone); a
 * missing suite is a failure, not a skip. The server gets a database of its own: a fresh one on
 * TEST_DATABASE_URL's server when that is set (dropped afterwards), else an in-memory embedded one,
 * and every rate limit at its default.
 * Folders run one after another. Each prints "<folder>: N passed, M failed" with the failing
 * requests; the last line is the total over every request, "N passed, M failed", and the exit code
 * is non-zero when any failed.
 */
import { createTestDatabase, type TestDatabase } from '../src/test/database';
import { printFolder, runFolder, SPEC_DIR, suiteFolders, suiteIsPresent } from './lib/realworld-suite';
import { startServer } from './lib/server';

if (!suiteIsPresent()) {
  console.error(`The RealWorld suite is not in ${SPEC_DIR} (set REALWORLD_SPEC_DIR to the folder holding bruno/).`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const folders = process.argv.length > 2 ? process.argv.slice(2) : suiteFolders();
const serverUrl = process.env.TEST_DATABASE_URL;
const database: TestDatabase | undefined = serverUrl
  ? await createTestDatabase(serverUrl, 'conduit_realworld')
  : undefined;
// Every limit at its shipped default (an empty value is the default; startServer turns them off for
// other harnesses): the suite is what a front end does, and must never trip one.
const SHIPPED_LIMITS = { AUTH_RATE_LIMIT: '', WRITE_RATE_LIMIT: '' };
const server = await startServer({ ...SHIPPED_LIMITS, ...(database && { DATABASE_URL: database.url }) });

let passed = 0;
let failed = 0;
try {
  console.log(`RealWorld suite from ${SPEC_DIR} against ${server.origin} (${database ? 'PostgreSQL' : 'embedded'})`);
  for (const folder of folders) {
    const result = await runFolder(folder, server.origin);
    printFolder(result);
    const folderFailed = result.outcomes.filter((outcome) => outcome.failures.length > 0).length;
    passed += result.outcomes.length - folderFailed;
    failed += folderFailed;
  }
} finally {
  await server.stop();
  await database?.drop();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
