/** The login and registration rate limit on a real listening server (client addresses, proxies). */
import { describe, expect, test } from 'bun:test';
import { startServer } from '../lib/server';

describe('the rate limit on the real server', () => {
  test('logins and registrations share the limit per address; other routes are not limited', async () => {
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
  });
});
