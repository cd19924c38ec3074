/**
 * Measuring servers against each other on a shared, noisy machine, where absolute numbers drift
 * from minute to minute: either in turns (a, b, c, a, b, c ...), or at once (both loaded together,
 * so that whatever else the machine does hits both in the same seconds; what to read is the ratio).
 */
import type autocannon from 'autocannon';
import { load, type Scenario } from './scenarios';

export interface Target {
  origin: string;
  /** The seeded user1's token on it. */
  token?: string;
}

export interface LoadSettings {
  seconds: number;
  warmup: number;
  connections: number;
}

const measure = (target: Target, scenario: Scenario, seconds: number, connections: number) =>
  load(target.origin, scenario, { seconds, connections, token: target.token });

/** Mean req/s of each target over `rounds` rounds in turns, after a warm-up of each. */
export async function inTurns<Name extends string>(
  targets: Record<Name, Target>,
  scenario: Scenario,
  { seconds, warmup, connections }: LoadSettings,
  rounds = 2,
): Promise<Record<Name, number>> {
  const names = Object.keys(targets) as Name[];
  for (const name of names) await measure(targets[name], scenario, warmup, connections);
  const rates = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  for (let round = 0; round < rounds; round++) {
    for (const name of names) {
      rates[name] += (await measure(targets[name], scenario, seconds, connections)).requests.average / rounds;
    }
  }
  return rates;
}

/** One round of `a` and `b` loaded at the same time, each from `connections` connections. */
export async function atOnce(
  a: Target,
  b: Target,
  scenario: Scenario,
  seconds: number,
  connections: number,
): Promise<[autocannon.Result, autocannon.Result]> {
  return Promise.all([measure(a, scenario, seconds, connections), measure(b, scenario, seconds, connections)]);
}

/**
 * Pins this process, every thread of it (the load generator), to core 0, and says which core the
 * servers get: 1. Without taskset or a second core nothing is pinned (undefined).
 */
export function pinLoadAwayFromServers(): number | undefined {
  if (!Bun.which('taskset') || navigator.hardwareConcurrency < 2) return undefined;
  const pinned = Bun.spawnSync(['taskset', '-a', '-p', '-c', '0', String(process.pid)], { stdout: 'ignore' });
  return pinned.exitCode === 0 ? 1 : undefined;
}
