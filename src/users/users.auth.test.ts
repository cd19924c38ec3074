/**
 * Tokens on routes that require a user and on routes where a user is optional. Front ends keep a
 * token for weeks and send it with every request: one that has expired, or was signed with a
 * rotated secret, must not break public pages, and must not act on anyone's behalf.
 */
import { describe, expect, test } from 'bun:test';
import { createSigner, type SignerOptions } from 'fast-jwt';
import { tokenConfig } from '../core/token-settings';
import { auth, createArticle, ok, registerUser, send, testClient } from '../test/api';

const client = await testClient();

const HOUR = 3_600_000;
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (options: Partial<SignerOptions> & { key?: string }, sub = '1') =>
  `Token ${createSigner({ key: tokenConfig().secret, ...options })({ sub })}`;

/** Authorization headers that name nobody the API can serve. */
const unusableTokens: Record<string, () => string> = {
  'a malformed header': () => 'Basic dXNlcjpwYXNz',
  'a token that is not a JWT': () => 'Token not.a.jwt',
  'a token signed with another secret': () => signed({ key: 'another secret of sufficient length!!', expiresIn: HOUR }),
  'another algorithm (HS512)': () => signed({ algorithm: 'HS512', expiresIn: HOUR }),
  'alg "none"': () => `Token ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: '1', exp: now() + 3600 })}.`,
  'an expired token': () => signed({ clockTimestamp: Date.now() - 2 * HOUR, expiresIn: HOUR }),
  'a token without expiry': () => signed({}),
};

describe('routes that require a user', () => {
  test('without a token: 401 {"token": ["is missing"]}', async () => {
    for (const [method, path] of [
      ['GET', '/api/user'],
      ['GET', '/api/articles/feed'],
      ['POST', '/api/articles/some-slug/favorite'],
    ] as const) {
      const response = await send(method, path);

      expect(response.status).toBe(401);
      expect(response.body).toEqual({ errors: { token: ['is missing'] } });
    }
  });

  for (const [name, authorization] of Object.entries({
    ...unusableTokens,
    'a token for a user that does not exist': () => signed({ expiresIn: HOUR }, '2147483000'),
  })) {
    test(`with ${name}: 401 {"token": ["invalid"]}`, async () => {
      for (const path of ['/api/user', '/api/articles/feed']) {
        const response = await send('GET', path, { headers: { authorization: authorization() } });

        expect(response.status).toBe(401);
        expect(response.body).toEqual({ errors: { token: ['invalid'] } });
      }
    });
  }
});

describe('a password change', () => {
  test('ends every other session: tokens issued before it answer 401; the one that made it and the new one work', async () => {
    const user = await registerUser();
    const elsewhere = ok(await client.api.users.login.post({ user: { email: user.email, password: user.password } }))
      .user.token;

    const changed = await client.api.user.put({ user: { password: 'a brand new password' } }, auth(user.token));
    expect(changed.status).toBe(200);

    for (const [method, path] of [
      ['GET', '/api/user'],
      ['GET', '/api/articles/feed'],
    ] as const) {
      const response = await send(method, path, { token: elsewhere });
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ errors: { token: ['invalid'] } });
    }
    for (const token of [user.token, ok(changed).user.token]) {
      const response = await client.api.user.get(auth(token));
      expect(response.status).toBe(200);
      expect(response.data?.user.username).toBe(user.username);
    }
  });

  test('a second change ends the sessions the first one left, but not the session making it', async () => {
    const user = await registerUser();
    const first = await client.api.user.put({ user: { password: 'password two' } }, auth(user.token));
    const issuedBetween = ok(first).user.token;

    // As RealWorld's official suite does: the same token changes the password again.
    const second = await client.api.user.put({ user: { password: 'password three' } }, auth(user.token));

    expect(second.status).toBe(200);
    expect((await client.api.user.get(auth(issuedBetween))).status).toBe(401);
    expect((await client.api.user.get(auth(user.token))).status).toBe(200);
  });

  test('other changes keep every token working', async () => {
    const user = await registerUser();

    await client.api.user.put({ user: { bio: 'new bio', username: `${user.username}x` } }, auth(user.token));

    expect((await client.api.user.get(auth(user.token))).status).toBe(200);
  });
});

describe('routes where a user is optional', () => {
  /** Every public read, as paths on one article by one author. */
  async function publicPaths(): Promise<string[]> {
    const author = await registerUser();
    const article = await createArticle(author, { tagList: ['stale'] });
    return [
      '/api/articles',
      `/api/articles?author=${author.username}`,
      `/api/articles/${article.slug}`,
      `/api/articles/${article.slug}/comments`,
      `/api/profiles/${author.username}`,
      '/api/tags',
    ];
  }

  for (const [name, authorization] of Object.entries(unusableTokens)) {
    test(`with ${name}: 200 as anonymous, and X-Token-Ignored says the token was not used`, async () => {
      for (const path of await publicPaths()) {
        const anonymous = await send('GET', path);
        const response = await send('GET', path, { headers: { authorization: authorization() } });

        expect(response.status).toBe(200);
        expect(response.body).toEqual(anonymous.body);
        // /api/tags takes no token at all, so it has nothing to say about one.
        if (path !== '/api/tags') expect(response.headers.get('x-token-ignored')).toBe('invalid');
      }
    });
  }

  test('a valid token personalizes the answer and is not reported as ignored', async () => {
    const [reader, author] = await Promise.all([registerUser(), registerUser()]);
    await client.api.profiles({ username: author.username }).follow.post(undefined, auth(reader.token));

    const response = await client.api.profiles({ username: author.username }).get(auth(reader.token));

    expect(response.status).toBe(200);
    expect(response.data?.profile.following).toBe(true);
    expect(response.response.headers.get('x-token-ignored')).toBeNull();
  });

  test('browsers may read X-Token-Ignored across origins', async () => {
    const response = await client.api.articles.get({ headers: { origin: 'https://front.example' } });

    expect(response.response.headers.get('access-control-expose-headers')).toContain('X-Token-Ignored');
  });
});
