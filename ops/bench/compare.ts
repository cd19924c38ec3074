/**
 * `bun run bench:compare [--base HEAD~1] [--scenarios tags,feed] [--articles 1000] [--seconds 8]
 *   [--rounds 5] [--warmup 3] [--connections 25] [--pool 5] [--smoke]`
 *
 * Benchmarks the working tree ("head") against another commit ("base", HEAD~1 by default) in one
 * run, both loaded AT THE SAME TIME. Absolute numbers on a shared machine drift from minute to
 * minute, and taking turns cannot resolve a few percent (two such runs gave one scenario 0.91 and
 * 0.83 for identical code). Here both servers share one core (taskset: core 1, when there are two)
 * and one database, and each round loads both at once from the other core, so that whatever else
 * the machine does hits both in the same seconds; a round's head / base is a fair pair. Reported:
 * each round's ratio and their mean per scenario.
 *
 * Base is checked out into a temporary git worktree (this checkout's node_modules linked in when the
 * dependencies are the same). One database is migrated and seeded by head: base serves on head's
 * schema, as the old version does during a rolling deploy (test:compat checks that it can). Writes
 * (POST /api/articles, one author and one tag on purpose: the hot-row case) land in the shared
 * tables from both sides alike; meanwhile pg_stat_activity is sampled every 100 ms, to show what
 * each side's backends wait on (told apart by application_name).
 *
 * Prints a Markdown section, writes it to ops/bench/results/, and ends with "N passed, M failed":
 * one check per scenario that both sides answered 2xx only (timings are never asserted).
 * `--smoke` (one 2-second round after a 1-second warm-up, 200 articles) only shows that the harness
 * works; its file gets a "-smoke" suffix so that it never replaces a real measurement.
 */
import type autocannon from 'autocannon';
import postgres from 'postgres';
import { logger, options, ROOT } from '../lib/cli';
import { runHarness, type Teardown } from '../lib/harness';
import { checkOut, git } from '../lib/previous-version';
import { startServer } from '../lib/server';
import {
  type Commit,
  type Comparison,
  POST_ARTICLES,
  renderSection,
  roundRatios,
  SAMPLE_EVERY_MS,
  SIDES,
  type SideName,
  type SideResult,
  type WaitTally,
  writeSection,
} from './compare-report';
import { benchScenarios, logIn, type Scenario } from './scenarios';
import { seededDatabase, sizeFor } from './seed';
import { atOnce, pinLoadAwayFromServers, type Target } from './side-by-side';

const log = logger('compare');

/** Those of `bun run bench` (ops/bench/scenarios.ts) but the login (argon2, slow on purpose). */
const COMPARED = [
  'GET /api/articles (anonymous)',
  'GET /api/articles?tag=',
  'GET /api/articles?author=',
  'GET /api/articles/feed',
  'GET /api/articles/:slug',
  'GET /api/articles/:slug/comments',
  'GET /api/tags',
  'GET /api/profiles/:username',
  POST_ARTICLES,
];

function describeCommit(ref: string): Commit {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const [short = '', subject = ''] = git('log', '-1', '--format=%h%n%s', sha, '--').split('\n');
  return { sha, short, subject };
}

/** `--scenarios`: comma-separated substrings of the names (case-insensitive); all when empty. */
function selectScenarios(articles: number, wanted: string): Scenario[] {
  const parts = wanted
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  const all = benchScenarios(articles).filter((scenario) => COMPARED.includes(scenario.name));
  const chosen = all.filter((s) => parts.length === 0 || parts.some((part) => s.name.toLowerCase().includes(part)));
  if (chosen.length === 0) throw new Error(`--scenarios ${wanted} matches none of: ${all.map((s) => s.name)}`);
  return chosen;
}

/** Base's server (from a worktree) and head's, on the one database, on `core`; each side's token. */
async function startSides(
  base: Commit,
  databaseUrl: string,
  { pool, core }: { pool: number; core: number | undefined },
  teardown: Teardown,
): Promise<Record<SideName, Target>> {
  const checkout = checkOut(base.sha);
  teardown.add(() => checkout.remove());
  log(`base: worktree at ${checkout.root}`);
  const roots: Record<SideName, string> = { base: checkout.root, head: ROOT };
  const sides = {} as Record<SideName, Target>;
  for (const side of SIDES) {
    const url = new URL(databaseUrl);
    url.searchParams.set('application_name', `bench-${side}`);
    const env = { DATABASE_URL: url.toString(), DB_POOL_MAX: String(pool), LOG_LEVEL: 'silent' };
    const server = await startServer(env, { root: roots[side], quiet: true, core });
    teardown.add(() => server.stop());
    log(`${side}: server at ${server.origin}${core === undefined ? '' : ` on core ${core}`}`);
    sides[side] = { origin: server.origin, token: await logIn(server.origin) };
  }
  return sides;
}

/** Samples pg_stat_activity on `databaseUrl` every 100 ms until `work` settles, per side. */
async function sampleWaitsDuring<T>(
  databaseUrl: string,
  tallies: Record<SideName, WaitTally>,
  work: Promise<T>,
): Promise<T> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let stopped = false;
  const sampling = (async () => {
    while (!stopped) {
      const next = Date.now() + SAMPLE_EVERY_MS;
      const rows = await client<{ side: string; state: string }[]>`
        select substr(split_part(application_name, ' ', 1), 7) as side,
               coalesce(wait_event_type || ':' || wait_event, 'CPU') as state
        from pg_stat_activity
        where datname = current_database() and state = 'active' and application_name like 'bench-%'`;
      for (const side of SIDES) {
        const tally = tallies[side];
        const mine = rows.filter((row) => row.side === side);
        tally.samples++;
        tally.backends += mine.length;
        for (const { state } of mine) tally.states.set(state, (tally.states.get(state) ?? 0) + 1);
      }
      await Bun.sleep(Math.max(0, next - Date.now()));
    }
  })();
  try {
    return await work;
  } finally {
    stopped = true;
    await sampling.catch((error) => log(`sampling pg_stat_activity: ${error}`));
    await client.end({ timeout: 1 });
  }
}

const emptyResult = (): SideResult => ({
  rates: [],
  failures: 0,
  waits: { samples: 0, backends: 0, states: new Map() },
});
const failures = (result: autocannon.Result) => result.non2xx + result.errors;

/** A warm-up of both at once, then `rounds` rounds of both at once. */
async function compareScenario(
  scenario: Scenario,
  sides: Record<SideName, Target>,
  settings: { seconds: number; warmup: number; connections: number; rounds: number; databaseUrl: string },
): Promise<Comparison> {
  const results = { base: emptyResult(), head: emptyResult() };
  const pair = (seconds: number) => atOnce(sides.base, sides.head, scenario, seconds, settings.connections);
  const record = ([base, head]: autocannon.Result[], round: boolean) => {
    for (const [side, result] of [
      ['base', base],
      ['head', head],
    ] as const) {
      if (round) results[side].rates.push(result?.requests.average ?? 0);
      results[side].failures += result ? failures(result) : 0;
    }
  };
  record(await pair(settings.warmup), false);
  for (let round = 0; round < settings.rounds; round++) {
    const work = pair(settings.seconds);
    const waits = { base: results.base.waits, head: results.head.waits };
    record(
      scenario.name === POST_ARTICLES ? await sampleWaitsDuring(settings.databaseUrl, waits, work) : await work,
      true,
    );
  }
  return { name: scenario.name, sides: results };
}

export function main(): Promise<never> {
  const { values } = options({
    base: 'HEAD~1',
    scenarios: '',
    articles: 1000,
    seconds: 8,
    rounds: 5,
    warmup: 3,
    connections: 25,
    pool: 5,
    smoke: false,
  });
  const { smoke, connections, pool } = values;
  const articles = smoke ? 200 : values.articles;
  const timing = smoke
    ? { seconds: 2, rounds: 1, warmup: 1 }
    : { seconds: values.seconds, rounds: values.rounds, warmup: values.warmup };
  // Both sides run in development mode: production would demand a JWT secret, and they log nothing anyway.
  delete process.env.NODE_ENV;
  return runHarness(async (checks, teardown) => {
    const base = describeCommit(values.base);
    const head = describeCommit('HEAD');
    const dirty = git('status', '--porcelain', '--', '.', ':!ops/bench/results') !== '';
    const scenarios = selectScenarios(articles, values.scenarios);
    log(`base ${base.short}, head ${head.short}${dirty ? ' + uncommitted changes' : ''}; ${articles} articles`);
    const database = await seededDatabase(articles, log);
    teardown.add(() => database.drop());
    const databaseUrl = database.url as string;
    const core = pinLoadAwayFromServers();
    const sides = await startSides(base, databaseUrl, { pool, core }, teardown);

    const comparisons: Comparison[] = [];
    for (const [index, scenario] of scenarios.entries()) {
      log(
        `(${index + 1}/${scenarios.length}) ${scenario.name}: warm-up, then ${timing.rounds} round(s), both at once ...`,
      );
      const comparison = await compareScenario(scenario, sides, { ...timing, connections, databaseUrl });
      log(
        `  head / base per round: ${roundRatios(comparison.sides)
          .map((r) => r.toFixed(2))
          .join(' ')}`,
      );
      comparisons.push(comparison);
    }
    const users = sizeFor(articles).users;
    const run = {
      base,
      head,
      dirty,
      smoke,
      articles,
      users,
      connections,
      pool,
      ...timing,
      serverCore: core,
      comparisons,
    };
    const section = renderSection(run);
    console.log(section);
    log(`wrote ${writeSection(section, run)}`);
    for (const { name, sides: results } of comparisons) {
      const broken = SIDES.filter((side) => results[side].failures > 0);
      checks.check(
        `${name} answered 2xx only on both sides`,
        broken.length === 0,
        `non-2xx on ${broken.join(' and ')}`,
      );
    }
  });
}

if (import.meta.main) await main();
