/**
 * Property: whatever a client sends (bodies, query strings, path parameters, headers, signed in or
 * not), the API never answers 5xx, every 4xx carries the errors shape, and it keeps serving.
 * fast-check generates the requests and shrinks any failure to a small one. FUZZ_RUNS sets how
 * many requests (CI runs a longer pass than the default).
 */
import { beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { createArticle, registerUser, type TestUser } from '../test/api';
import { testApp } from '../test/app';

const { app } = await testApp();

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Every API route the app has, as method and path template (`/api/articles/:slug`). */
const routes = app.routes
  .filter((route) => route.path.startsWith('/api/') || route.path === '/health' || route.path === '/ready')
  .map((route) => ({ method: route.method, path: route.path }));

let user: TestUser;
/** Articles of the signed-in user, for path parameters that name a real one (some get deleted on the way). */
let slugs: string[];
beforeAll(async () => {
  user = await registerUser();
  slugs = [];
  for (let i = 0; i < 10; i++) slugs.push((await createArticle(user, { tagList: ['fuzz'] })).slug);
});

/** Text of every kind: ASCII, any Unicode (lone surrogates included), and strings that mean something here. */
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '.',
    '..',
    '%',
    '%00',
    '%E0%A4%A',
    '\u0000',
    '\u200B',
    '../../etc',
    'null',
    '-1',
    '1e9',
    '0x10',
  ),
);

/** A path parameter: real ones (the test article, the test user), numbers, or anything. */
const parameter = fc.oneof(
  fc.integer({ min: 0, max: 9 }).map((i) => `__slug${i}__`),
  fc.constant('__user__'),
  fc.integer({ min: -5, max: 2 ** 40 }).map(String),
  text.map((value) => encodeURIComponent(value)),
  text,
);

/** A JSON body: shaped like ours with arbitrary values, or any JSON at all. */
const fieldNames = [
  'user',
  'article',
  'comment',
  'email',
  'password',
  'username',
  'bio',
  'image',
  'title',
  'description',
  'body',
  'tagList',
];
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc
    .record({
      wrapper: fc.constantFrom('user', 'article', 'comment'),
      fields: fc.dictionary(fc.constantFrom(...fieldNames), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
    })
    .map(({ wrapper, fields }) => ({ [wrapper]: fields })),
);

const requestCase = fc.record({
  route: fc.constantFrom(...routes),
  // Mostly the route's own method; sometimes another one.
  otherMethod: fc.oneof(
    { arbitrary: fc.constant(null), weight: 4 },
    { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), weight: 1 },
  ),
  parameters: fc.array(parameter, { minLength: 2, maxLength: 2 }),
  query: fc.dictionary(fc.constantFrom('limit', 'offset', 'tag', 'author', 'favorited', 'x'), text, { maxKeys: 4 }),
  body: fc.option(
    fc.oneof(
      json.map((value) => JSON.stringify(value)),
      text,
    ),
    { freq: 3 },
  ),
  contentType: fc.constantFrom(
    'application/json',
    'APPLICATION/JSON; charset=utf-8',
    'text/plain',
    'multipart/form-data',
    undefined,
  ),
  authorization: fc.constantFrom('valid', 'none', 'garbage', 'Token ', 'Bearer x.y.z', 'Basic Zm9vOmJhcg=='),
});

type Case = typeof requestCase extends fc.Arbitrary<infer T> ? T : never;

function toRequest(c: Case): Request {
  let index = 0;
  const path = c.route.path.replace(/:[a-z]+/g, () => {
    const value = c.parameters[index++] ?? '';
    const slug = /^__slug(\d)__$/.exec(value)?.[1];
    if (slug !== undefined) return slugs[Number(slug)] ?? '';
    return value === '__user__' ? user.username : value;
  });
  const query = new URLSearchParams(c.query).toString();
  const headers = new Headers();
  if (c.contentType) headers.set('content-type', c.contentType);
  if (c.authorization === 'valid') headers.set('authorization', `Token ${user.token}`);
  else if (c.authorization !== 'none') headers.set('authorization', c.authorization);
  const method = c.otherMethod ?? c.route.method;
  const body = method === 'GET' || method === 'HEAD' ? undefined : (c.body ?? undefined);
  return new Request(`http://localhost${path}${query ? `?${query}` : ''}`, { method, headers, body });
}

describe('fuzzing every route', () => {
  test(`${RUNS} generated requests: no 5xx, every 4xx has the errors shape`, async () => {
    await fc.assert(
      fc.asyncProperty(requestCase, async (c) => {
        let request: Request;
        try {
          request = toRequest(c);
        } catch {
          return; // not a request any client could send (an invalid URL, say)
        }
        const response = await app.handle(request);
        const text = await response.text();
        const summary = `${request.method} ${request.url} -> ${response.status} ${text.slice(0, 200)}`;
        if (response.status >= 500) throw new Error(summary);
        if (response.status >= 400) {
          const body = JSON.parse(text) as { errors?: Record<string, unknown> };
          const fields = Object.entries(body.errors ?? {});
          if (
            fields.length === 0 ||
            !fields.every(([, messages]) => Array.isArray(messages) && messages.every((m) => typeof m === 'string'))
          ) {
            throw new Error(`not the errors shape: ${summary}`);
          }
        }
      }),
      { numRuns: RUNS },
    );

    // Still serving, and promptly.
    const startedAt = performance.now();
    const [health, list] = await Promise.all([
      app.handle(new Request('http://localhost/health')),
      app.handle(new Request('http://localhost/api/articles?tag=fuzz')),
    ]);
    expect(health.status).toBe(200);
    expect(list.status).toBe(200);
    expect(performance.now() - startedAt).toBeLessThan(5_000);
  }, 600_000);
});
