/**
 * `bun run bench:compare [--base HEAD~1] [--scenarios tags,feed] [--articles 1000] [--seconds 10]
 *   [--rounds 3] [--warmup 3] [--connections 50] [--pool 5] [--smoke]`
 *
 * Benchmarks the working tree ("head") against another commit ("base", HEAD~1 by default) in one
 * run. Absolute numbers on a shared machine drift from minute to minute, so two runs made at
 * different times say little about a change; here both servers run side by side and each scenario
 * takes turns, base, head, base, head ..., so that whatever else the machine does hits both alike.
 * What to read is the ratio head / base.
 *
 * Base is checked out into a temporary git worktree with its own dependencies. Each side gets a
 * fresh database on the PostgreSQL server, built by its own migrations and filled by its own seeder
 * (ops/bench/seed.ts of that checkout): the change being measured may change the schema too
 * (tables, counters, triggers), and one side's seed on the other side's schema would be wrong.
 *
 * While POST /api/articles runs (one author and one tag on purpose: the hot-row case),
 * pg_stat_activity is sampled every 100 ms, to show what each side's backends wait on.
 *
 * Prints a Markdown section, writes it to ops/bench/results/, and ends with "N passed, M failed":
 * one check per scenario that both sides answered 2xx only (timings are never asserted).
 * `--smoke` (one 1-second round after a 1-second warm-up, 200 articles) only shows that the
 * harness works; its file gets a "-smoke" suffix so that it never replaces a real measurement.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type autocannon from 'autocannon';
import postgres from 'postgres';
import { createTestDatabase } from '../../src/test/database';
import { Checklist } from '../lib/report';
import { type RunningServer, startServer } from '../lib/server';
import { benchScenarios, load, logIn, type Scenario } from './scenarios';
import { sizeFor } from './seed';

const ROOT = resolve(import.meta.dir, '../..');
const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'HEAD~1' },
    scenarios: { type: 'string', default: '' },
    articles: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    pool: { type: 'string', default: '5' },
    smoke: { type: 'boolean', default: false },
  },
});

function positive(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}
const ARTICLES = args.smoke ? 200 : positive('articles');
const SECONDS = args.smoke ? 1 : positive('seconds');
const ROUNDS = args.smoke ? 1 : positive('rounds');
const WARMUP = args.smoke ? 1 : positive('warmup');
const CONNECTIONS = positive('connections');
/** The servers' DB_POOL_MAX. */
const POOL = positive('pool');
const SERVER_URL =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
// Both sides run in development mode: production would demand a JWT secret, and the servers log
// nothing anyway (LOG_LEVEL=silent).
delete process.env.NODE_ENV;

const log = (message: string) => console.error(`[compare] ${message}`);

type SideName = 'base' | 'head';
const SIDES: readonly SideName[] = ['base', 'head'];

interface Side {
  root: string;
  databaseUrl: string;
  server: RunningServer;
  token: string;
}

interface Commit {
  sha: string;
  short: string;
  subject: string;
}

/** What the backends were doing while a side served POST /api/articles. */
interface WaitTally {
  samples: number;
  /** Active backends seen, summed over the samples. */
  backends: number;
  /** Active backends seen per wait state ("CPU" when not waiting). */
  states: Map<string, number>;
}

interface SideResult {
  /** Requests per second, one per round. */
  rates: number[];
  /** Non-2xx responses and failed requests, warm-up included. */
  failures: number;
  waits: WaitTally;
}

interface Comparison {
  name: string;
  sides: Record<SideName, SideResult>;
}

// ---- Clean-up: whatever was set up is taken down, in reverse order, also on failure or Ctrl-C.

const cleanups: (() => unknown)[] = [];

async function cleanUp(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) {
    try {
      await step();
    } catch (error) {
      log(`clean-up: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

process.once('SIGINT', () => {
  log('interrupted: cleaning up ...');
  void cleanUp().finally(() => process.exit(130));
});

// ---- Commands.

function git(...argv: string[]): string {
  const result = Bun.spawnSync(['git', ...argv], { cwd: ROOT, stderr: 'pipe' });
  if (result.exitCode !== 0) throw new Error(`git ${argv.join(' ')}: ${result.stderr.toString().trim()}`);
  return result.stdout.toString().trim();
}

function describeCommit(ref: string): Commit {
  const sha = git('rev-parse', '--verify', `${ref}^{commit}`);
  const [short = '', subject = ''] = git('log', '-1', '--format=%h%n%s', sha, '--').split('\n');
  return { sha, short, subject };
}

/** Uncommitted changes in the working tree, apart from earlier results of this harness. */
function treeIsDirty(): boolean {
  return git('status', '--porcelain', '--', '.', ':!ops/bench/results') !== '';
}

/** Runs a command in another checkout, without this process's NODE_ENV or DATABASE_URL; fails loudly. */
async function runIn(root: string, argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const child = Bun.spawn(argv, { cwd: root, env: { ...inherited, ...env }, stdout: 'pipe', stderr: 'pipe' });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`\`${argv.join(' ')}\` in ${root} exited with ${code}:\n${out}${err}`);
  return `${out}${err}`.split('\n').filter((line) => line.trim() !== '');
}

// ---- The two sides.

/** Checks out `sha` into a temporary worktree (removed at the end) and installs its dependencies. */
async function checkOutBase(sha: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'conduit-compare-'));
  cleanups.push(() => {
    Bun.spawnSync(['git', 'worktree', 'remove', '--force', root], { cwd: ROOT });
    rmSync(root, { recursive: true, force: true });
    git('worktree', 'prune');
    log(`removed the worktree ${root}`);
  });
  git('worktree', 'add', '--detach', root, sha);
  log(`base: worktree at ${root}; bun install ...`);
  const installed = await runIn(root, ['bun', 'install', '--frozen-lockfile']);
  log(`base: ${installed.at(-1) ?? 'installed'}`);
  return root;
}

// Runs in the side's own checkout, so that it seeds with that side's seeder, on that side's schema.
const SEED_SCRIPT = `
import { BENCH_PASSWORD, seedDatabase, sizeFor } from './ops/bench/seed.ts';
import { connect } from './src/core/connection.ts';
import { hashPassword } from './src/users/users.password.ts';
const connection = await connect({ url: process.env.DATABASE_URL });
try {
  const size = sizeFor(Number(process.env.BENCH_ARTICLES));
  await seedDatabase(connection.db, size, await hashPassword(BENCH_PASSWORD), console.log);
} finally {
  await connection.close();
}
`;

/** A fresh database built by the side's own migrations and seed, and the side's server on it. */
async function prepareSide(name: SideName, root: string): Promise<Side> {
  const database = await createTestDatabase(SERVER_URL, 'conduit_compare', { migrate: false });
  cleanups.push(async () => {
    await database.drop();
    log(`${name}: dropped its database`);
  });
  const env = { DATABASE_URL: database.url };
  for (const line of await runIn(root, ['bun', 'src/migrate.ts'], env)) log(`${name}: ${line}`);
  const seeded = await runIn(root, ['bun', '-e', SEED_SCRIPT], { ...env, BENCH_ARTICLES: String(ARTICLES) });
  for (const line of seeded) log(`${name}: seeded ${line}`);

  const server = await startServer({ ...env, DB_POOL_MAX: String(POOL), LOG_LEVEL: 'silent' }, { root, quiet: true });
  cleanups.push(() => server.stop());
  log(`${name}: server at ${server.origin}`);
  return { root, databaseUrl: database.url, server, token: await logIn(server.origin) };
}

// ---- Scenarios: those of `bun run bench` (ops/bench/scenarios.ts), but the login (argon2 on purpose).

const POST_ARTICLES = 'POST /api/articles';
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

function allScenarios(): Scenario[] {
  const all = benchScenarios(ARTICLES);
  return COMPARED.flatMap((name) => all.filter((scenario) => scenario.name === name));
}

/** `--scenarios`: comma-separated substrings of the names (case-insensitive); all when empty. */
function selectScenarios(): Scenario[] {
  const wanted = (args.scenarios ?? '')
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  const all = allScenarios();
  const chosen = all.filter((s) => wanted.length === 0 || wanted.some((part) => s.name.toLowerCase().includes(part)));
  if (chosen.length === 0) throw new Error(`--scenarios ${args.scenarios} matches none of: ${all.map((s) => s.name)}`);
  return chosen;
}

// ---- Measuring.

function measure(side: Side, scenario: Scenario, seconds: number): Promise<autocannon.Result> {
  return load(side.server.origin, scenario, { seconds, connections: CONNECTIONS, token: side.token });
}

const SAMPLE_EVERY_MS = 100;

/** Samples pg_stat_activity on the side's database every 100 ms until `work` settles. */
async function sampleWaitsDuring<T>(databaseUrl: string, tally: WaitTally, work: Promise<T>): Promise<T> {
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  let stopped = false;
  let failure: unknown;
  const sampling = (async () => {
    while (!stopped) {
      const next = Date.now() + SAMPLE_EVERY_MS;
      const rows = await client<{ state: string }[]>`
        select coalesce(wait_event_type || ':' || wait_event, 'CPU') as state
        from pg_stat_activity
        where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`;
      tally.samples++;
      tally.backends += rows.length;
      for (const { state } of rows) tally.states.set(state, (tally.states.get(state) ?? 0) + 1);
      await Bun.sleep(Math.max(0, next - Date.now()));
    }
  })().catch((error) => {
    failure = error;
  });
  const result = await work.finally(async () => {
    stopped = true;
    await sampling;
    await client.end({ timeout: 1 });
  });
  if (failure) throw failure;
  return result;
}

const emptyResult = (): SideResult => ({
  rates: [],
  failures: 0,
  waits: { samples: 0, backends: 0, states: new Map() },
});

/** Warms both sides up, then measures them in turns: base, head, base, head ... */
async function compareScenario(scenario: Scenario, sides: Record<SideName, Side>): Promise<Comparison> {
  const results = { base: emptyResult(), head: emptyResult() };
  const failures = (result: autocannon.Result) => result.non2xx + result.errors;
  for (const name of SIDES) results[name].failures += failures(await measure(sides[name], scenario, WARMUP));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of SIDES) {
      const side = sides[name];
      const work = measure(side, scenario, SECONDS);
      const result =
        scenario.name === POST_ARTICLES
          ? await sampleWaitsDuring(side.databaseUrl, results[name].waits, work)
          : await work;
      results[name].rates.push(result.requests.average);
      results[name].failures += failures(result);
    }
  }
  return { name: scenario.name, sides: results };
}

// ---- Report.

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

function rateCell(result: SideResult): string {
  const rate = String(Math.round(mean(result.rates)));
  return result.failures === 0 ? rate : `${rate} ⚠ ${result.failures} non-2xx or failed`;
}

function ratioCell({ base, head }: Record<SideName, SideResult>): string {
  const baseRate = mean(base.rates);
  return baseRate > 0 ? (mean(head.rates) / baseRate).toFixed(2) : '–';
}

function waitTable({ sides }: Comparison): string[] {
  const share = (tally: WaitTally, state: string) =>
    tally.backends === 0 ? '–' : `${Math.round((100 * (tally.states.get(state) ?? 0)) / tally.backends)}%`;
  const top = (tally: WaitTally) => [...tally.states].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const states = [...new Set([...top(sides.base.waits), ...top(sides.head.waits)].map(([state]) => state))];
  const average = (tally: WaitTally) => (tally.samples === 0 ? '–' : (tally.backends / tally.samples).toFixed(1));
  return [
    `What the active backends waited on during ${POST_ARTICLES} (pg_stat_activity every ${SAMPLE_EVERY_MS} ms;`,
    `share of the active backends sampled, top 6 per side; ${sides.base.waits.samples} samples on base, ` +
      `${sides.head.waits.samples} on head):`,
    '',
    '| wait state | base | head |',
    '| --- | ---: | ---: |',
    ...states.map((state) => `| ${state} | ${share(sides.base.waits, state)} | ${share(sides.head.waits, state)} |`),
    `| active backends (average) | ${average(sides.base.waits)} | ${average(sides.head.waits)} |`,
  ];
}

function renderSection(base: Commit, head: Commit, dirty: boolean, comparisons: Comparison[]): string {
  const now = new Date().toISOString();
  const posted = comparisons.find((c) => c.name === POST_ARTICLES);
  return [
    `## ${base.short} → ${dirty ? 'working tree' : head.short}, ${now.slice(0, 10)}${args.smoke ? ' (smoke run)' : ''}`,
    '',
    `- date: ${now.slice(0, 16).replace('T', ' ')} UTC`,
    `- base: ${base.sha} ${base.subject}`,
    `- head: ${head.sha} ${head.subject}${dirty ? ' + uncommitted changes' : ''}`,
    `- machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'})`,
    `- ${ARTICLES} articles (${sizeFor(ARTICLES).users} users), ${CONNECTIONS} connections, pool ${POOL}, ` +
      `${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${SECONDS} s per side after ${WARMUP} s of warm-up, taking turns base, head`,
    '',
    '| scenario | base req/s | head req/s | head / base |',
    '| --- | ---: | ---: | ---: |',
    ...comparisons.map(
      (c) => `| ${c.name} | ${rateCell(c.sides.base)} | ${rateCell(c.sides.head)} | ${ratioCell(c.sides)} |`,
    ),
    '',
    ...(posted ? [...waitTable(posted), ''] : []),
  ].join('\n');
}

function writeSection(section: string, base: Commit, head: Commit, dirty: boolean): string {
  const folder = join(ROOT, 'ops/bench/results');
  mkdirSync(folder, { recursive: true });
  const name = `compare-${new Date().toISOString().slice(0, 10)}-${base.short}-${dirty ? 'worktree' : head.short}`;
  const file = join(folder, `${name}${args.smoke ? '-smoke' : ''}.md`);
  writeFileSync(file, section);
  return file;
}

// ---- Main.

async function main(checks: Checklist): Promise<void> {
  const base = describeCommit(args.base ?? 'HEAD~1');
  const head = describeCommit('HEAD');
  const dirty = treeIsDirty();
  const scenarios = selectScenarios();
  log(`base ${base.short}, head ${head.short}${dirty ? ' + uncommitted changes' : ''}; ${ARTICLES} articles`);

  const baseRoot = await checkOutBase(base.sha);
  const sides = { base: await prepareSide('base', baseRoot), head: await prepareSide('head', ROOT) };
  const comparisons: Comparison[] = [];
  for (const [index, scenario] of scenarios.entries()) {
    log(
      `(${index + 1}/${scenarios.length}) ${scenario.name}: warm-up, then ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} in turns ...`,
    );
    comparisons.push(await compareScenario(scenario, sides));
  }

  const section = renderSection(base, head, dirty, comparisons);
  console.log(section);
  log(`wrote ${writeSection(section, base, head, dirty)}`);
  for (const { name, sides: results } of comparisons) {
    const broken = SIDES.filter((side) => results[side].failures > 0);
    checks.check(`${name} answered 2xx only on both sides`, broken.length === 0, `non-2xx on ${broken.join(' and ')}`);
  }
}

const checks = new Checklist();
try {
  await main(checks);
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  checks.check('the comparison ran to the end', false, error instanceof Error ? error.message.split('\n')[0] : '');
} finally {
  await cleanUp();
}
checks.finish();
