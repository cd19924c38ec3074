/**
 * `bun run test:compat [BASE]`: does the previous version keep working on this version's schema?
 * During a rolling deploy `db:migrate` runs first, and the old instances serve on the new schema
 * until they are replaced; a migration that drops or renames what they use breaks them.
 *
 * BASE (a commit; default: the parent of the newest commit that changed drizzle/, i.e. the last
 * version built for the previous schema) is checked out with `git worktree` and served twice on
 * TEST_DATABASE_URL's server: on a fresh database migrated by BASE itself, and on one migrated to
 * HEAD's schema. RealWorld's official suite runs against both. Every request that passes on BASE's
 * own schema must pass on HEAD's too (requests BASE fails on its own schema are reported, not
 * counted: they are not the schema's doing). Last line: "N passed, M failed" over those requests.
 */
import { createTestDatabase } from '../src/test/database';
import { type Checkout, checkOut, git, migrate, previousVersion } from './lib/previous-version';
import { type FolderOutcome, runFolder, SPEC_DIR, suiteFolders, suiteIsPresent } from './lib/realworld-suite';
import { startServer } from './lib/server';

const serverUrl = process.env.TEST_DATABASE_URL;

/** A step that could not run: the check fails with this message. */
class Unrunnable extends Error {}
function fail(message: string): never {
  throw new Unrunnable(message);
}
/** Runs a step whose failure (git, bun install) means the check could not run. */
function step<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    fail((error as Error).message);
  }
}

let checkout: Checkout | undefined;
const databases: { drop(): Promise<void> }[] = [];

/** Serves BASE on `databaseUrl` and runs the whole suite against it. */
async function suiteOnBase(databaseUrl: string): Promise<FolderOutcome[]> {
  const root = checkout?.root ?? fail('BASE is not checked out');
  const server = await startServer({ DATABASE_URL: databaseUrl }, { root, timeoutMs: 120_000 });
  try {
    const results: FolderOutcome[] = [];
    for (const folder of suiteFolders()) results.push(await runFolder(folder, server.origin));
    return results;
  } finally {
    await server.stop();
  }
}

const passing = (results: FolderOutcome[]) =>
  new Set(results.flatMap(({ outcomes }) => outcomes.filter((o) => o.failures.length === 0).map((o) => o.request)));

let passed = 0;
let failed = 0;
try {
  if (!suiteIsPresent()) fail(`The RealWorld suite is not in ${SPEC_DIR} (set REALWORLD_SPEC_DIR).`);
  if (!serverUrl)
    fail('test:compat needs a PostgreSQL server: set TEST_DATABASE_URL (it makes and drops its own databases).');
  const base = step(() => previousVersion(process.argv[2]));
  console.log(`BASE ${base.slice(0, 12)} on HEAD's schema (${step(() => git('rev-parse', '--short', 'HEAD'))})`);
  checkout = step(() => checkOut(base));

  const ownSchema = await createTestDatabase(serverUrl, 'conduit_compat_base', { migrate: false });
  databases.push(ownSchema);
  await migrate(checkout.root, ownSchema.url).catch((error: Error) => fail(`BASE's ${error.message}`));
  const headSchema = await createTestDatabase(serverUrl, 'conduit_compat_head');
  databases.push(headSchema);

  const onOwn = passing(await suiteOnBase(ownSchema.url));
  const onHead = await suiteOnBase(headSchema.url);
  for (const { folder, outcomes } of onHead) {
    const checked = outcomes.filter((outcome) => onOwn.has(outcome.request));
    const broken = checked.filter((outcome) => outcome.failures.length > 0);
    const notCounted = outcomes.length - checked.length;
    console.log(
      `${folder}: ${checked.length - broken.length} passed, ${broken.length} failed` +
        (notCounted > 0 ? ` (${notCounted} not counted: BASE fails them on its own schema too)` : ''),
    );
    for (const outcome of broken) {
      console.log(`  ✗ ${outcome.request} (HTTP ${outcome.status ?? '-'}): passes on BASE's schema, not on HEAD's`);
      for (const line of outcome.failures) console.log(`      ${line}`);
    }
    passed += checked.length - broken.length;
    failed += broken.length;
  }
} catch (error) {
  if (!(error instanceof Unrunnable)) throw error;
  console.error(error.message);
  failed += 1;
} finally {
  await Promise.all(databases.map((database) => database.drop()));
  checkout?.remove();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
