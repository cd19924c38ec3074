/**
 * `bun run test:load [--seconds 30] [--warmup 10] [--connections 200]`: mixed reads and writes from
 * many concurrent clients against the real server, checking that nothing breaks under load.
 *
 * The server gets a fresh database on TEST_DATABASE_URL's server (dropped afterwards) or, when
 * that is unset, an in-memory embedded one. Each client loops over a weighted mix of requests
 * (lists, feed, single articles, comments, tags, creating articles, favoriting, commenting)
 * for the given time. Reported: requests by status, connection errors, throughput, and the
 * server's resident memory over the run. Fails on any 5xx, any connection error, or memory
 * that keeps growing: the last third of the run more than 25% above the middle third. Memory is
 * sampled once the warm-up is over: the server's heap takes seconds to grow to its working size
 * (longer on a loaded machine), and a run that sampled the climb would call it growth.
 * Timing is reported, never asserted.
 */
import { databaseIfServer, options } from './lib/cli';
import { runHarness } from './lib/harness';
import { residentMiB, startServer } from './lib/server';
import { pick } from './lib/traffic';

const USERS = 20;
const SEED_ARTICLES = 100;
const TAGS = ['dragons', 'training', 'bun', 'postgres', 'elysia', 'drizzle'];

/** Users who follow each other and articles with tags, made through the API; and a request that adds one. */
async function seed(api: string) {
  const tokens: string[] = [];
  const usernames: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const user = { username: `load${i}`, email: `load${i}@example.com`, password: 'password' };
    const response = await fetch(`${api}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    tokens.push(((await response.json()) as { user: { token: string } }).user.token);
    usernames.push(user.username);
  }
  await Promise.all(
    tokens.map((token, i) =>
      fetch(`${api}/profiles/${usernames[(i + 1) % USERS]}/follow`, { method: 'POST', headers: auth(token) }),
    ),
  );
  const slugs: string[] = [];
  async function createArticle(token: string): Promise<Response> {
    const article = {
      title: `Load article ${slugs.length}`,
      description: 'load',
      body: 'load '.repeat(50),
      tagList: [pick(TAGS), pick(TAGS)],
    };
    const response = await fetch(`${api}/articles`, {
      method: 'POST',
      headers: auth(token),
      body: JSON.stringify({ article }),
    });
    if (response.status === 201)
      slugs.push(((await response.clone().json()) as { article: { slug: string } }).article.slug);
    return response;
  }
  for (let i = 0; i < SEED_ARTICLES; i++) await createArticle(pick(tokens));
  return { tokens, usernames, slugs, createArticle };
}

const auth = (token: string) => ({ 'content-type': 'application/json', authorization: `Token ${token}` });

/** The weighted mix of requests each client draws from. */
function requestMix(api: string, { tokens, usernames, slugs, createArticle }: Awaited<ReturnType<typeof seed>>) {
  const mix: [weight: number, request: () => Promise<Response>][] = [
    [30, () => fetch(`${api}/articles?limit=20`)],
    [10, () => fetch(`${api}/articles?tag=${pick(TAGS)}`, { headers: auth(pick(tokens)) })],
    [5, () => fetch(`${api}/articles?author=${pick(usernames)}`)],
    [5, () => fetch(`${api}/articles?favorited=${pick(usernames)}`)],
    [10, () => fetch(`${api}/articles/feed`, { headers: auth(pick(tokens)) })],
    [10, () => fetch(`${api}/articles/${pick(slugs)}`)],
    [8, () => fetch(`${api}/articles/${pick(slugs)}/comments`)],
    [5, () => fetch(`${api}/tags`)],
    [5, () => fetch(`${api}/profiles/${pick(usernames)}`, { headers: auth(pick(tokens)) })],
    [4, () => createArticle(pick(tokens))],
    [4, () => fetch(`${api}/articles/${pick(slugs)}/favorite`, { method: 'POST', headers: auth(pick(tokens)) })],
    [
      4,
      () =>
        fetch(`${api}/articles/${pick(slugs)}/comments`, {
          method: 'POST',
          headers: auth(pick(tokens)),
          body: JSON.stringify({ comment: { body: 'Under load' } }),
        }),
    ],
  ];
  const totalWeight = mix.reduce((sum, [weight]) => sum + weight, 0);
  return (): Promise<Response> => {
    let roll = Math.random() * totalWeight;
    for (const [weight, request] of mix) {
      roll -= weight;
      if (roll < 0) return request();
    }
    return (mix[0] as (typeof mix)[number])[1]();
  };
}

export function main(): Promise<never> {
  const { values } = options({ seconds: 30, warmup: 10, connections: 200 });
  return runHarness(async (checks, teardown) => {
    const database = await databaseIfServer('conduit_load');
    teardown.add(() => database?.drop());
    const server = await startServer(database ? { DATABASE_URL: database.url } : {}, { quiet: true });
    teardown.add(() => server.stop());
    const api = `${server.origin}/api`;
    console.log(
      `Load: ${values.connections} connections for ${values.warmup} s of warm-up, then ${values.seconds} s against ${api} (${database ? 'PostgreSQL' : 'embedded database'})`,
    );
    const nextRequest = requestMix(api, await seed(api));

    const statuses = new Map<string, number>();
    let connectionErrors = 0;
    let requests = 0;
    const memory: number[] = [];
    const endAt = performance.now() + (values.warmup + values.seconds) * 1000;
    let sampler: Timer | undefined;
    const warmedUp = setTimeout(() => {
      sampler = setInterval(() => memory.push(residentMiB(server.process.pid)), 1000);
    }, values.warmup * 1000);
    const client = async () => {
      while (performance.now() < endAt) {
        try {
          const response = await nextRequest();
          await response.arrayBuffer();
          statuses.set(`${response.status}`, (statuses.get(`${response.status}`) ?? 0) + 1);
        } catch {
          connectionErrors++;
        }
        requests++;
      }
    };
    await Promise.all(Array.from({ length: values.connections }, client));
    clearTimeout(warmedUp);
    clearInterval(sampler);

    const third = Math.max(1, Math.floor(memory.length / 3));
    const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0;
    const middleMiB = median(memory.slice(third, 2 * third));
    const lastMiB = median(memory.slice(-third));
    const serverErrors = [...statuses].filter(([status]) => status.startsWith('5')).reduce((sum, [, n]) => sum + n, 0);

    console.log('');
    console.log(`  requests:          ${requests} (${(requests / (values.warmup + values.seconds)).toFixed(0)}/s)`);
    console.log(`  statuses:          ${[...statuses].map(([status, n]) => `${status} x${n}`).join(', ')}`);
    console.log(`  5xx:               ${serverErrors}`);
    console.log(`  connection errors: ${connectionErrors}`);
    console.log(
      `  server RSS (MiB, after warm-up):  first ${(memory[0] ?? 0).toFixed(0)}, middle third ${middleMiB.toFixed(0)}, last third ${lastMiB.toFixed(0)}, max ${Math.max(...memory).toFixed(0)}`,
    );
    console.log('');
    checks.check('no 5xx', serverErrors === 0, `${serverErrors} responses were 5xx`);
    checks.check('no connection errors', connectionErrors === 0, `${connectionErrors} requests failed to connect`);
    checks.check(
      'memory levels off',
      lastMiB <= middleMiB * 1.25,
      `${middleMiB.toFixed(0)} MiB, then ${lastMiB.toFixed(0)} MiB`,
    );
  });
}

if (import.meta.main) await main();
