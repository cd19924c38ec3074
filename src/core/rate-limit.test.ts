import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { startServer } from '../test/server';
import { httpPolicy } from './http';
import { clientAddress, perClientRateLimit } from './rate-limit';

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

describe('clientAddress', () => {
  const from = (forwardedFor?: string) =>
    new Request('http://localhost/', forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});

  test('with no trusted proxy, X-Forwarded-For is ignored', () => {
    expect(clientAddress(from('203.0.113.7'), null, 0)).toBe('unknown');
  });

  test('behind one proxy: the entry it appended (the last), whatever the client wrote before it', () => {
    expect(clientAddress(from('203.0.113.7'), null, 1)).toBe('203.0.113.7');
    expect(clientAddress(from('1.2.3.4, 5.6.7.8, 203.0.113.7'), null, 1)).toBe('203.0.113.7');
  });

  test('behind two proxies: the second entry from the end; too few entries: the leftmost', () => {
    expect(clientAddress(from('forged, 203.0.113.7, 10.0.0.2'), null, 2)).toBe('203.0.113.7');
    expect(clientAddress(from('203.0.113.7'), null, 2)).toBe('203.0.113.7');
  });
});

test('behind a trusted proxy, forged X-Forwarded-For entries do not escape the limit', async () => {
  const server = await startServer({ AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${server.origin}/api/users/login`, {
        method: 'POST',
        // What a client behind the proxy sends: its own invented entry, then the one the proxy appended.
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.9.8.${i}, 198.51.100.1` },
        body: JSON.stringify({ user: { email: 'nobody@example.com', password: 'wrong password' } }),
      });
      statuses.push(response.status);
    }

    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
  } finally {
    await server.stop();
  }
}, 60_000);
