/**
 * The benchmark's scenarios and how one is loaded, shared by `bun run bench` (ops/bench/run.ts) and
 * `bun run bench:compare` (ops/bench/compare.ts), so both measure the same requests.
 */
import autocannon from 'autocannon';
import { BENCH_PASSWORD } from './seed';

export interface Scenario {
  name: string;
  /** What `bench` reports it against: a trivial HTTP server, or pgbench running the list statement. */
  ceiling: 'http' | 'db';
  request: autocannon.Request;
  headers?: Record<string, string>;
  /** Sent with the token of the seeded user1 (see logIn). */
  signedIn?: boolean;
}

let created = 0;

/** Every scenario, on a database seeded with `articles` articles (ops/bench/seed.ts). */
export function benchScenarios(articles: number): Scenario[] {
  const slug = `article-${articles - 1}`; // recent, with comments (ids where i % 3 = 2 have two)
  const json = { 'content-type': 'application/json' };
  return [
    { name: 'GET /api/tags', ceiling: 'http', request: { path: '/api/tags' } },
    { name: 'GET /api/articles (anonymous)', ceiling: 'db', request: { path: '/api/articles' } },
    { name: 'GET /api/articles (with token)', ceiling: 'db', request: { path: '/api/articles' }, signedIn: true },
    { name: 'GET /api/articles?tag=', ceiling: 'db', request: { path: '/api/articles?tag=tag-25' } },
    { name: 'GET /api/articles?author=', ceiling: 'db', request: { path: '/api/articles?author=user7' } },
    { name: 'GET /api/articles?favorited=', ceiling: 'db', request: { path: '/api/articles?favorited=user7' } },
    { name: 'GET /api/articles/feed', ceiling: 'db', request: { path: '/api/articles/feed' }, signedIn: true },
    { name: 'GET /api/articles/:slug', ceiling: 'http', request: { path: `/api/articles/${slug}` } },
    { name: 'GET /api/articles/:slug/comments', ceiling: 'http', request: { path: `/api/articles/${slug}/comments` } },
    { name: 'GET /api/profiles/:username', ceiling: 'http', request: { path: '/api/profiles/user7' }, signedIn: true },
    {
      // One author and one tag on purpose: the case where writers could queue on shared counts.
      name: 'POST /api/articles',
      ceiling: 'http',
      signedIn: true,
      headers: json,
      request: {
        method: 'POST',
        path: '/api/articles',
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({
            article: {
              title: `Bench article ${++created}`,
              description: 'bench',
              body: 'bench body',
              tagList: ['bench'],
            },
          }),
        }),
      },
    },
    {
      name: 'POST /api/users/login',
      ceiling: 'http',
      headers: json,
      request: {
        method: 'POST',
        path: '/api/users/login',
        body: JSON.stringify({ user: { email: 'user2@bench.example', password: BENCH_PASSWORD } }),
      },
    },
  ];
}

/** The seeded user1's token on the server at `origin`. */
export async function logIn(origin: string): Promise<string> {
  const response = await fetch(`${origin}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: { email: 'user1@bench.example', password: BENCH_PASSWORD } }),
  });
  if (!response.ok) throw new Error(`logging in at ${origin} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { user: { token: string } }).user.token;
}

/** Loads `origin` with the scenario for `seconds` from `connections` connections. */
export async function load(
  origin: string,
  scenario: Pick<Scenario, 'request' | 'headers' | 'signedIn'>,
  { seconds, connections, token }: { seconds: number; connections: number; token?: string },
): Promise<autocannon.Result> {
  // Awaited in an async function: autocannon's own return value is a thenable without .finally.
  return await autocannon({
    url: origin,
    connections,
    duration: seconds,
    headers: { ...scenario.headers, ...(scenario.signedIn && token && { authorization: `Token ${token}` }) },
    requests: [scenario.request],
  });
}
