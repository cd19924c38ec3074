import { describe, expect, test } from 'bun:test';
import { DrizzleQueryError } from 'drizzle-orm';
import { Elysia, t } from 'elysia';
import { api } from '../test/api';
import { httpPolicy, loggable } from './http';
import { ResponseInteger } from './models';

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
  const app = new Elysia().use(httpPolicy).get('/count-as-text', () => ({ articlesCount: '3' as unknown as number }), {
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

    const entry = JSON.stringify(loggable(failed));

    expect(entry).toContain('update \\"users\\" set \\"email\\" = $1');
    expect(entry).toContain('deadlock detected');
    expect(entry).not.toContain('someone@example.com');
    expect(entry).not.toContain('argon2id');
  });
});
