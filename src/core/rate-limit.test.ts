import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { startServer } from '../test/server';
import { httpPolicy } from './http';
import { perClientRateLimit } from './rate-limit';

describe('perClientRateLimit', () => {
  const request = () => new Request('http://localhost/limited', { method: 'POST' });

  test('lets `perMinute` requests through, then answers 429 with Retry-After and an errors body', async () => {
    const app = new Elysia()
      .use(httpPolicy)
      .use(perClientRateLimit(3))
      .post('/limited', () => ({ ok: true }));

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.handle(request())).status);
    const refused = await app.handle(request());

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ errors: { requests: ['too many attempts, retry later'] } });
  });

  test('0 turns the limit off', async () => {
    const app = new Elysia().use(perClientRateLimit(0)).post('/limited', () => ({ ok: true }));

    for (let i = 0; i < 50; i++) expect((await app.handle(request())).status).toBe(200);
  });

  test('on the real server: logins and registrations share the limit per address; other routes are not limited', async () => {
    const server = await startServer({ AUTH_RATE_LIMIT: '2' });
    try {
      const post = (path: string, user: object) =>
        fetch(`${server.origin}/api${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user }),
        });
      const failedLogin = await post('/users/login', { email: 'nobody@example.com', password: 'wrong password' });
      const registration = await post('/users', {
        username: 'limited',
        email: 'limited@example.com',
        password: 'password',
      });
      const refused = await post('/users/login', { email: 'limited@example.com', password: 'password' });

      expect([failedLogin.status, registration.status, refused.status]).toEqual([401, 201, 429]);
      expect(refused.headers.get('retry-after')).toBeTruthy();
      for (let i = 0; i < 5; i++) expect((await fetch(`${server.origin}/api/tags`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
