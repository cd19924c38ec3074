/**
 * Idempotency-Key and accounts: tokens are never kept, sessions ended by a password change see nothing,
 * the anonymous routes take no part; and what does not change: requests without the key, reads, and
 * the documentation.
 */
import { describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { api, registerUser, type TestUser, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import { users } from '../users/schema/users.schema';
import { idempotencyKeys } from './schema/idempotency-keys.schema';

const { db } = (await testApp()).database;

const newArticle = (title = uniqueName('Title ')) => ({ article: { title, description: 'd', body: 'b' } });

function withKey(user: TestUser, key: string, body?: unknown) {
  return { token: user.token, body, headers: { 'idempotency-key': key } };
}

async function accountIdOf(user: TestUser): Promise<number> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.username, user.username));
  return row?.id ?? 0;
}

async function articleCount(author: TestUser): Promise<number> {
  return (await api('GET', `/api/articles?author=${author.username}`)).body.articlesCount;
}

describe('Idempotency-Key: accounts and tokens', () => {
  test('PUT /api/user: the replay carries a token for the session replaying it; no token is ever kept', async () => {
    const user = await registerUser();
    const request = withKey(user, 'settings', { user: { bio: 'Retried', password: 'a new password' } });

    const first = await api('PUT', '/api/user', request);
    const retry = await api('PUT', '/api/user', request);
    const [kept] = await db
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.accountId, await accountIdOf(user)));

    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.user).toEqual({ ...first.body.user, token: expect.any(String) });
    expect((await api('GET', '/api/user', { token: retry.body.user.token })).status).toBe(200);
    expect(kept?.reply).not.toContain('token');
    expect(kept?.reply).not.toContain(first.body.user.token);
    expect(kept?.fingerprint).not.toContain('a new password');
  });

  test('what a key kept is not shown to a session that a password change ended', async () => {
    const user = await registerUser();
    const { token: otherSession } = (await api('POST', '/api/users/login', { body: { user } })).body.user;
    await api('POST', '/api/articles', withKey(user, 'mine', newArticle('Kept')));
    await api('PUT', '/api/user', { token: user.token, body: { user: { password: 'another password' } } });

    const replay = await api('POST', '/api/articles', {
      ...withKey(user, 'mine', newArticle('Kept')),
      token: otherSession,
    });

    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ errors: { token: ['invalid'] } });
  });

  test('registration and login have no account to scope a key to: they ignore it', async () => {
    const user = { username: uniqueName(), email: `${uniqueName()}@example.com`, password: 'correct horse' };
    const registration = { body: { user }, headers: { 'idempotency-key': 'signup' } };
    const registered = await api('POST', '/api/users', registration);
    // Even with a token of the account, as a front end that sends its token everywhere would.
    const token = registered.body.user.token;
    const again = await api('POST', '/api/users', { ...registration, token });
    const login = { body: { user }, token, headers: { 'idempotency-key': 'login' } };
    const logins = [await api('POST', '/api/users/login', login), await api('POST', '/api/users/login', login)];

    expect(registered.status).toBe(201);
    expect(again.status).toBe(409);
    expect(logins.map((r) => r.status)).toEqual([200, 200]);
    expect(logins[0]?.body.user.token).not.toBe(logins[1]?.body.user.token);
    expect(logins[1]?.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('Idempotency-Key: requests without it, and reads', () => {
  test('without the header, the same request twice does it twice', async () => {
    const author = await registerUser();
    const request = { token: author.token, body: newArticle('Twice') };

    expect((await api('POST', '/api/articles', request)).status).toBe(201);
    expect((await api('POST', '/api/articles', request)).status).toBe(201);
    expect(await articleCount(author)).toBe(2);
  });

  test('a GET ignores it', async () => {
    const author = await registerUser();
    const read = () => api('GET', '/api/user', withKey(author, ''));

    expect((await read()).status).toBe(200);
    expect((await read()).headers.get('idempotent-replayed')).toBeNull();
  });

  test('documented on every write that needs a token, and allowed by CORS', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const preflight = await api('OPTIONS', '/api/articles', {
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });

    const writes: string[] = [];
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!['post', 'put', 'delete'].includes(method)) continue;
        const parameters = (operation as { parameters?: { $ref?: string }[] }).parameters ?? [];
        if (parameters.some((p) => p.$ref === '#/components/parameters/IdempotencyKey'))
          writes.push(`${method} ${path}`);
      }
    }
    expect(writes.sort()).toEqual([
      'delete /api/articles/{slug}',
      'delete /api/articles/{slug}/comments/{id}',
      'delete /api/articles/{slug}/favorite',
      'delete /api/profiles/{username}/follow',
      'post /api/articles',
      'post /api/articles/{slug}/comments',
      'post /api/articles/{slug}/favorite',
      'post /api/profiles/{username}/follow',
      'put /api/articles/{slug}',
      'put /api/user',
    ]);
    expect(document.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
  });
});
