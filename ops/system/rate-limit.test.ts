/**
 * The rate limits on a real listening server: what hashes a password per client address (behind
 * proxies too) and password changes per account; writes per account.
 */
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

/** A JSON request to the server's API, as a client at `from` (an X-Forwarded-For entry) with `token`. */
function caller(origin: string) {
  return async (
    method: string,
    path: string,
    { token, body, from }: { token?: string; body?: object; from?: string } = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Token ${token}`;
    if (from) headers['x-forwarded-for'] = from;
    const response = await fetch(`${origin}/api${path}`, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      json: text ? JSON.parse(text) : undefined,
    };
  };
}

const TOO_MANY = { errors: { requests: ['too many attempts, retry later'] } };

describe('the per-account write limit on the real server', () => {
  test('every kind of write spends from one budget per account; reads and other accounts are unaffected', async () => {
    const server = await startServer({ WRITE_RATE_LIMIT: '9' });
    try {
      const call = caller(server.origin);
      const register = async (name: string) =>
        (
          await call('POST', '/users', {
            body: { user: { username: name, email: `${name}@example.com`, password: 'password' } },
          })
        ).json.user.token as string;
      const alice = await register('alice');
      const bob = await register('bob');
      const article = { title: 'Limits', description: 'on writes', body: 'per account', tagList: ['limits'] };

      const created = await call('POST', '/articles', { token: alice, body: { article } });
      const slug = created.json.article.slug as string;
      const comment = await call('POST', `/articles/${slug}/comments`, {
        token: alice,
        body: { comment: { body: 'hi' } },
      });
      const writes = [
        created,
        await call('PUT', `/articles/${slug}`, { token: alice, body: { article: { body: 'changed' } } }),
        await call('POST', `/articles/${slug}/favorite`, { token: alice }),
        await call('DELETE', `/articles/${slug}/favorite`, { token: alice }),
        comment,
        await call('DELETE', `/articles/${slug}/comments/${comment.json.comment.id}`, { token: alice }),
        await call('POST', '/profiles/bob/follow', { token: alice }),
        await call('DELETE', '/profiles/bob/follow', { token: alice }),
        await call('PUT', '/user', { token: alice, body: { user: { bio: 'writes a lot' } } }),
      ];
      const tenth = await call('DELETE', `/articles/${slug}`, { token: alice });

      expect(writes.map((write) => write.status)).toEqual([201, 200, 200, 200, 201, 204, 200, 200, 200]);
      expect(tenth.status).toBe(429);
      expect(Number(tenth.retryAfter)).toBeGreaterThan(0);
      expect(Number(tenth.retryAfter)).toBeLessThanOrEqual(60);
      expect(tenth.json).toEqual(TOO_MANY);
      const reads = [
        '/user',
        '/articles',
        '/articles/feed',
        `/articles/${slug}`,
        `/articles/${slug}/comments`,
        '/profiles/bob',
        '/tags',
      ];
      for (const path of reads) expect([path, (await call('GET', path, { token: alice })).status]).toEqual([path, 200]);
      expect((await call('POST', '/articles', { token: bob, body: { article } })).status).toBe(201);
    } finally {
      await server.stop();
    }
  });

  test('by default 60 writes a minute pass and the 61st is refused; WRITE_RATE_LIMIT=0 turns the limit off', async () => {
    const favoriteToggles = async (setting: string) => {
      const server = await startServer({ WRITE_RATE_LIMIT: setting });
      try {
        const call = caller(server.origin);
        const user = { username: 'fan', email: 'fan@example.com', password: 'password' };
        const token = (await call('POST', '/users', { body: { user } })).json.user.token as string;
        const article = { title: 'Liked', description: 'a lot', body: 'text' };
        const { slug } = (await call('POST', '/articles', { token, body: { article } })).json.article;
        const statuses: number[] = [];
        for (let i = 0; i < 60; i++) {
          statuses.push((await call(i % 2 ? 'DELETE' : 'POST', `/articles/${slug}/favorite`, { token })).status);
        }
        return statuses;
      } finally {
        await server.stop();
      }
    };

    // The article's creation was the first write.
    expect(await favoriteToggles('')).toEqual([...Array(59).fill(200), 429]);
    expect(await favoriteToggles('0')).toEqual(Array(60).fill(200));
  });
});

describe('the password change limit on the real server', () => {
  const password = 'password';

  test('password changes spend from the address budget that logins and registrations use; other updates do not', async () => {
    const server = await startServer({ AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    try {
      const call = caller(server.origin);
      const from = '198.51.100.7';
      const register = async (name: string) =>
        (
          await call('POST', '/users', {
            from,
            body: { user: { username: name, email: `${name}@example.com`, password } },
          })
        ).json.user.token as string;
      const alice = await register('alice');
      const bob = await register('bob');

      const change = await call('PUT', '/user', { token: alice, from, body: { user: { password: 'new password 1' } } });
      const refused = await call('PUT', '/user', { token: bob, from, body: { user: { password: 'new password 2' } } });
      const login = await call('POST', '/users/login', {
        from,
        body: { user: { email: 'bob@example.com', password } },
      });
      const bioUpdates = [];
      for (let i = 0; i < 5; i++) {
        bioUpdates.push((await call('PUT', '/user', { token: bob, from, body: { user: { bio: `bio ${i}` } } })).status);
      }

      expect([change.status, refused.status, login.status]).toEqual([200, 429, 429]);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.json).toEqual(TOO_MANY);
      expect(bioUpdates).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await server.stop();
    }
  });

  test('password changes are limited per account, from whichever address they come', async () => {
    const server = await startServer({ AUTH_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    try {
      const call = caller(server.origin);
      const register = async (name: string, from: string) =>
        (
          await call('POST', '/users', {
            from,
            body: { user: { username: name, email: `${name}@example.com`, password } },
          })
        ).json.user.token as string;
      let carol = await register('carol', '203.0.113.1');
      const dave = await register('dave', '203.0.113.2');

      const statuses = [];
      for (let i = 1; i <= 4; i++) {
        const change = await call('PUT', '/user', {
          token: carol,
          from: `192.0.2.${i}`,
          body: { user: { password: `carol's ${i}th` } },
        });
        statuses.push(change.status);
        if (change.status === 200) carol = change.json.user.token;
      }
      // The address of carol's refused change is still free for another account.
      const daveFromThere = await call('PUT', '/user', {
        token: dave,
        from: '192.0.2.4',
        body: { user: { password: 'dave 1st' } },
      });

      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(daveFromThere.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
