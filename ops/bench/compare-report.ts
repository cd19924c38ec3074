/** The Markdown section `bun run bench:compare` prints and keeps in ops/bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../lib/cli';

export type SideName = 'base' | 'head';
export const SIDES: readonly SideName[] = ['base', 'head'];

export interface Commit {
  sha: string;
  short: string;
  subject: string;
}

/** What the active backends of one side were doing, sampled while it served POST /api/articles. */
export interface WaitTally {
  samples: number;
  /** Active backends seen, summed over the samples. */
  backends: number;
  /** Active backends seen per wait state ("CPU" when not waiting). */
  states: Map<string, number>;
}

export interface SideResult {
  /** Requests per second, one per round. */
  rates: number[];
  /** Non-2xx responses and failed requests, warm-up included. */
  failures: number;
  waits: WaitTally;
}

export interface Comparison {
  name: string;
  sides: Record<SideName, SideResult>;
}

export interface Run {
  base: Commit;
  head: Commit;
  dirty: boolean;
  smoke: boolean;
  articles: number;
  users: number;
  connections: number;
  pool: number;
  rounds: number;
  seconds: number;
  warmup: number;
  /** The core the servers were pinned to (the load on core 0), or undefined when nothing was pinned. */
  serverCore: number | undefined;
  comparisons: Comparison[];
}

export const POST_ARTICLES = 'POST /api/articles';
export const SAMPLE_EVERY_MS = 100;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** head / base of each round: both sides were loaded in the same seconds, so each round is a fair pair. */
export function roundRatios({ base, head }: Record<SideName, SideResult>): number[] {
  return base.rates.map((rate, round) => (rate > 0 ? (head.rates[round] ?? 0) / rate : Number.NaN));
}

function rateCell(result: SideResult): string {
  const rate = String(Math.round(mean(result.rates)));
  return result.failures === 0 ? rate : `${rate} ⚠ ${result.failures} non-2xx or failed`;
}

function waitTable({ sides }: Comparison): string[] {
  const share = (tally: WaitTally, state: string) =>
    tally.backends === 0 ? '–' : `${Math.round((100 * (tally.states.get(state) ?? 0)) / tally.backends)}%`;
  const top = (tally: WaitTally) => [...tally.states].sort((a, b) => b[1] - a[1]).slice(0, 6);
  const states = [...new Set([...top(sides.base.waits), ...top(sides.head.waits)].map(([state]) => state))];
  const average = (tally: WaitTally) => (tally.samples === 0 ? '–' : (tally.backends / tally.samples).toFixed(1));
  return [
    `What the active backends waited on during ${POST_ARTICLES} (pg_stat_activity every ${SAMPLE_EVERY_MS} ms,`,
    `both sides at once, told apart by application_name; share of the active backends sampled, top 6 per side;`,
    `${sides.base.waits.samples} samples):`,
    '',
    '| wait state | base | head |',
    '| --- | ---: | ---: |',
    ...states.map((state) => `| ${state} | ${share(sides.base.waits, state)} | ${share(sides.head.waits, state)} |`),
    `| active backends (average) | ${average(sides.base.waits)} | ${average(sides.head.waits)} |`,
  ];
}

export function renderSection(run: Run): string {
  const { base, head, dirty, rounds } = run;
  const now = new Date().toISOString();
  const posted = run.comparisons.find((c) => c.name === POST_ARTICLES);
  const pinning =
    run.serverCore === undefined
      ? 'nothing pinned (no taskset or one core)'
      : `both servers pinned to core ${run.serverCore}, the load to core 0`;
  const row = (c: Comparison) => {
    const ratios = roundRatios(c.sides);
    const perRound = ratios.map((ratio) => ratio.toFixed(2)).join(' ');
    return `| ${c.name} | ${rateCell(c.sides.base)} | ${rateCell(c.sides.head)} | ${perRound} | **${mean(ratios).toFixed(2)}** |`;
  };
  return [
    `## ${base.short} → ${dirty ? 'working tree' : head.short}, ${now.slice(0, 10)}${run.smoke ? ' (smoke run)' : ''}`,
    '',
    `- date: ${now.slice(0, 16).replace('T', ' ')} UTC`,
    `- base: ${base.sha} ${base.subject}`,
    `- head: ${head.sha} ${head.subject}${dirty ? ' + uncommitted changes' : ''}`,
    `- machine: ${availableParallelism()} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}); ${pinning}`,
    `- ${run.articles} articles (${run.users} users) in one database both sides share, ${run.connections} connections ` +
      `per side, pool ${run.pool}; ${rounds} round${rounds === 1 ? '' : 's'} of ${run.seconds} s after ${run.warmup} s ` +
      'of warm-up, both sides loaded at the same time in each',
    '',
    '| scenario | base req/s | head req/s | head / base, each round | mean head / base |',
    '| --- | ---: | ---: | --- | ---: |',
    ...run.comparisons.map(row),
    '',
    ...(posted ? [...waitTable(posted), ''] : []),
  ].join('\n');
}

/** Writes the section to ops/bench/results/ (a smoke run's file gets "-smoke": it never replaces a measurement). */
export function writeSection(section: string, { base, head, dirty, smoke }: Run): string {
  const folder = join(ROOT, 'ops/bench/results');
  mkdirSync(folder, { recursive: true });
  const name = `compare-${new Date().toISOString().slice(0, 10)}-${base.short}-${dirty ? 'worktree' : head.short}`;
  const file = join(folder, `${name}${smoke ? '-smoke' : ''}.md`);
  writeFileSync(file, section);
  return file;
}
