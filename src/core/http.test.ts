import { describe, expect, test } from 'bun:test';
import { DrizzleQueryError } from 'drizzle-orm';
import { Elysia, t } from 'elysia';
import { api } from '../test/api';
import { TooManyRequests } from './errors';
import { httpPolicy, loggable } from './http';
import { ResponseInteger } from './models';
import { PoolRefusal } from './pool-gate';

describe('errors outside any route', () => {
  test('an unknown route gets a JSON 404', async () => {
    const response = await api('GET', '/api/no-such-thing');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toStartWith('application/json');
    expect(response.body).toEqual({ errors: { route: ['not found'] } });
  });

  test.each([
    ['DELETE', '/api/users', 'POST, OPTIONS'],
    ['PATCH', '/api/articles', 'GET, POST, OPTIONS'],
    ['GET', '/api/articles/some-slug/favorite', 'POST, DELETE, OPTIONS'],
    ['POST', '/health', 'GET, OPTIONS'],
  ])('%s %s: 405 with Allow: %s and an errors body', async (method, path, allow) => {
    const response = await api(method, path);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body).toEqual({ errors: { method: [`${method} is not allowed here (allowed: ${allow})`] } });
  });

  test('OPTIONS is listed once, last, where CORS registers a route of its own (`/`)', async () => {
    const response = await api('POST', '/');

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, OPTIONS');
    expect(response.body).toEqual({ errors: { method: ['POST is not allowed here (allowed: GET, OPTIONS)'] } });
  });
});

describe('typed errors thrown from hooks reach the one error hook', () => {
  test('from an onRequest hook: its status, headers and body', async () => {
    const app = new Elysia()
      .use(httpPolicy({ production: false }))
      .onRequest(() => {
        throw new TooManyRequests(7);
      })
      .get('/', () => 'never');

    const response = await app.handle(new Request('http://localhost/'));

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('content-type')).toBe('application/json;charset=utf-8');
    expect(await response.json()).toEqual({ errors: { requests: ['too many attempts, retry later'] } });
  });

  test("from a macro's beforeHandle", async () => {
    const app = new Elysia()
      .use(httpPolicy({ production: false }))
      .macro({
        limited: {
          beforeHandle() {
            throw new TooManyRequests(3);
          },
        },
      })
      .get('/', () => 'never', { limited: true });

    const response = await app.handle(new Request('http://localhost/'));

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });
});

describe('503: the database cannot serve the request now', () => {
  const app = new Elysia()
    .use(httpPolicy({ production: false }))
    .get('/busy', () => {
      throw new PoolRefusal('full');
    })
    .get('/stopping', () => {
      throw new PoolRefusal('closed');
    })
    .get('/unreachable', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    });

  test.each([
    ['/busy', '1', 'is busy, please retry shortly'],
    ['/stopping', '2', 'is unavailable, please retry shortly'],
    ['/unreachable', '2', 'is unavailable, please retry shortly'],
  ])('%s: 503 with Retry-After: %s', async (path, retryAfter, message) => {
    const response = await app.handle(new Request(`http://localhost${path}`));

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(retryAfter);
    expect(await response.json()).toEqual({ errors: { database: [message] } });
  });
});

describe('operational endpoints', () => {
  test('GET /health answers while the process runs', async () => {
    const response = await api('GET', '/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  test('GET /ready answers 200 when the database does', async () => {
    const response = await api('GET', '/ready');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready' });
  });
});

describe('responses are checked against their models', () => {
  const app = new Elysia()
    .use(httpPolicy({ production: false }))
    .get('/count-as-text', () => ({ articlesCount: '3' as unknown as number }), {
      response: t.Object({ articlesCount: ResponseInteger() }),
    });

  test('a reply that breaks its model is our bug: 500 with the errors body, nothing of the reply', async () => {
    const response = await app.handle(new Request('http://localhost/count-as-text'));

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ errors: { server: ['an unexpected error occurred'] } });
  });
});

describe('what an unexpected error leaves in the log', () => {
  test("a failed query's parameters (an email, a password hash) appear nowhere in the entry", () => {
    const cause = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    const failed = new DrizzleQueryError(
      'update "users" set "email" = $1, "password_hash" = $2 where "users"."id" = $3',
      ['someone@example.com', '$argon2id$v=19$m=65536,t=2,p=1$secret', 7],
      cause,
    );

    const entry = JSON.stringify(loggable(failed, { withStack: true }));

    expect(entry).toContain('update \\"users\\" set \\"email\\" = $1');
    expect(entry).toContain('deadlock detected');
    expect(entry).not.toContain('someone@example.com');
    expect(entry).not.toContain('argon2id');
  });
});
