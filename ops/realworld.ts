/**
 * `bun run test:realworld [folder ...]`: runs RealWorld's official API suite (see
 * ./lib/realworld-suite.ts) against a real listening server, as any RealWorld front end would see it.
 *
 * The suite is read from REALWORLD_SPEC_DIR (default ../shared/realworld, beside the clone); a
 * missing suite is a failure, not a skip. The server gets a database of its own: a fresh one on
 * TEST_DATABASE_URL's server when that is set (dropped afterwards), else an in-memory embedded one,
 * and every rate limit at its default.
 * Folders run one after another. Each prints "<folder>: N passed, M failed" with the failing
 * requests; the last line is the total over every request, "N passed, M failed", and the exit code
 * is non-zero when any failed.
 */
import { databaseIfServer, options } from './lib/cli';
import { runHarness } from './lib/harness';
import { printFolder, runFolder, SPEC_DIR, suiteFolders, suiteIsPresent } from './lib/realworld-suite';
import { startServer } from './lib/server';

// Every limit at its shipped default (an empty value is the default; startServer turns them off for
// other harnesses): the suite is what a front end does, and must never trip one.
const SHIPPED_LIMITS = { AUTH_RATE_LIMIT: '', WRITE_RATE_LIMIT: '' };

export function main(): Promise<never> {
  return runHarness(async (checks, teardown) => {
    if (!suiteIsPresent())
      throw new Error(
        `The RealWorld suite is not in ${SPEC_DIR} (set REALWORLD_SPEC_DIR to the folder holding bruno/).`,
      );
    const { positionals } = options({});
    const database = await databaseIfServer('conduit_realworld');
    teardown.add(() => database?.drop());
    const server = await startServer({ ...SHIPPED_LIMITS, ...(database && { DATABASE_URL: database.url }) });
    teardown.add(() => server.stop());
    console.log(`RealWorld suite from ${SPEC_DIR} against ${server.origin} (${database ? 'PostgreSQL' : 'embedded'})`);
    for (const folder of positionals.length > 0 ? positionals : suiteFolders()) {
      const result = await runFolder(folder, server.origin);
      printFolder(result);
      const failed = result.outcomes.filter((outcome) => outcome.failures.length > 0).length;
      checks.tally(result.outcomes.length - failed, failed);
    }
  });
}

if (import.meta.main) await main();
