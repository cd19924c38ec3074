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
import { options, requiredServerUrl } from './lib/cli';
import { runHarness } from './lib/harness';
import { checkOut, git, migrate, previousVersion } from './lib/previous-version';
import { type FolderOutcome, runFolder, SPEC_DIR, suiteFolders, suiteIsPresent } from './lib/realworld-suite';
import { startServer } from './lib/server';

/** Serves the checkout at `root` on `databaseUrl` and runs the whole suite against it. */
async function suiteOn(root: string, databaseUrl: string): Promise<FolderOutcome[]> {
  const server = await startServer({ DATABASE_URL: databaseUrl }, { root });
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

export function main(): Promise<never> {
  const serverUrl = requiredServerUrl('test:compat');
  return runHarness(async (checks, teardown) => {
    if (!suiteIsPresent()) throw new Error(`The RealWorld suite is not in ${SPEC_DIR} (set REALWORLD_SPEC_DIR).`);
    const base = previousVersion(options({}).positionals[0]);
    console.log(`BASE ${base.slice(0, 12)} on HEAD's schema (${git('rev-parse', '--short', 'HEAD')})`);
    const checkout = checkOut(base);
    teardown.add(() => checkout.remove());

    const ownSchema = await createTestDatabase(serverUrl, 'conduit_compat_base', { migrate: false });
    teardown.add(() => ownSchema.drop());
    await migrate(checkout.root, ownSchema.url);
    const headSchema = await createTestDatabase(serverUrl, 'conduit_compat_head');
    teardown.add(() => headSchema.drop());

    const onOwn = passing(await suiteOn(checkout.root, ownSchema.url));
    for (const { folder, outcomes } of await suiteOn(checkout.root, headSchema.url)) {
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
      checks.tally(checked.length - broken.length, broken.length);
    }
  });
}

if (import.meta.main) await main();
