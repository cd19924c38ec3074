/** Account rules beyond the endpoints' basics: usernames, images, races, deleted users, password hashing. */
import { describe, expect, spyOn, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { api, createArticle, registerUser, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import { users } from './schema/users.schema';

const { db } = (await testApp()).database;

function newUser(overrides: Record<string, unknown> = {}) {
  const username = uniqueName();
  return { username, email: `${username}@example.com`, password: 'correct horse', ...overrides };
}

describe('usernames', () => {
  test('are unique whatever their letter case, on registration and on rename', async () => {
    const taken = await registerUser({ username: uniqueName('Admin') });
    const other = await registerUser();

    const registration = await api('POST', '/api/users', {
      body: { user: newUser({ username: taken.username.toLowerCase() }) },
    });
    const rename = await api('PUT', '/api/user', {
      token: other.token,
      body: { user: { username: taken.username.toUpperCase() } },
    });

    expect(registration.status).toBe(409);
    expect(registration.body).toEqual({ errors: { username: ['has already been taken'] } });
    expect(rename.status).toBe(409);
  });

  test('"." and ".." cannot be registered: they can never be addressed in a URL path', async () => {
    for (const username of ['.', '..']) {
      const response = await api('POST', '/api/users', { body: { user: newUser({ username }) } });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({
        errors: { username: ["may only contain letters, digits, '_', '-' and '.', and may not be '.' or '..'"] },
      });
    }
    expect((await api('POST', '/api/users', { body: { user: newUser({ username: uniqueName('...') }) } })).status).toBe(
      201,
    );
  });

  test('are found in any letter case: profiles, ?author= and ?favorited=', async () => {
    const author = await registerUser({ username: uniqueName('MixedCase') });
    await createArticle(author);
    await api('POST', `/api/articles/${(await createArticle(author)).slug}/favorite`, { token: author.token });
    const shouted = author.username.toUpperCase();

    const profile = await api('GET', `/api/profiles/${shouted}`);
    expect(profile.status).toBe(200);
    expect(profile.body.profile.username).toBe(author.username);
    expect((await api('GET', `/api/articles?author=${shouted}`)).body.articlesCount).toBe(2);
    expect((await api('GET', `/api/articles?favorited=${shouted}`)).body.articlesCount).toBe(1);
  });
});

describe('profile images', () => {
  test.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://example.com/a.png', 'not a url'])(
    '%s is refused: only http and https addresses',
    async (image) => {
      const user = await registerUser();
      const response = await api('PUT', '/api/user', { token: user.token, body: { user: { image } } });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({ errors: { image: ['must be an http or https URL'] } });
    },
  );

  test.each([
    ['a quote and markup in the path', 'https://x/"><svg/onload=alert(1)>'],
    ['a single quote', "https://example.com/a'onerror='alert(1).png"],
    ['no host (the parser would take "etc" as one)', 'http:///etc/passwd'],
    ['backslashes (the parser would turn them into slashes)', 'http://\\\\evil\\share'],
    ['a backslash for the slashes', 'https:\\\\example.com/a.png'],
    ['a tab inside', 'https://example.com/a\tb.png'],
    ['a newline inside', 'https://example.com/a.png\nSet-Cookie: x=1'],
    ['a C1 control character', 'https://example.com/\u0085a.png'],
    ['a right-to-left override', 'https://example.com/\u202Egnp.exe'],
    ['a space inside', 'https://example.com/my picture.png'],
    ['credentials before the host', 'https://example.com@evil.example/a.png'],
    ['no slashes after the scheme', 'http:example.com/a.png'],
  ])('an address with %s is refused', async (_, image) => {
    const user = await registerUser();
    const response = await api('PUT', '/api/user', { token: user.token, body: { user: { image } } });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { image: ['must be an http or https URL'] } });
  });

  test('an address is stored as sent, trimmed: not rewritten by the URL parser', async () => {
    const user = await registerUser();
    const image = 'HTTPS://Bücher.example/Café%20crème.png?size=2&x=%22';
    const response = await api('PUT', '/api/user', { token: user.token, body: { user: { image: ` ${image}\n` } } });

    expect(response.status).toBe(200);
    expect(response.body.user.image).toBe(image);
  });

  test('an invisible character is not an address (blank is allowed here, so no "can\'t be blank")', async () => {
    const user = await registerUser();
    const response = await api('PUT', '/api/user', { token: user.token, body: { user: { image: '\u200B' } } });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { image: ['must be an http or https URL'] } });
  });

  test('http and https addresses are kept; blank clears the image', async () => {
    const user = await registerUser();
    const set = (image: string | null) => api('PUT', '/api/user', { token: user.token, body: { user: { image } } });

    expect((await set('https://example.com/me.png')).body.user.image).toBe('https://example.com/me.png');
    expect((await set('HTTP://example.com/me.png')).body.user.image).toBe('HTTP://example.com/me.png');
    expect((await set('  ')).body.user.image).toBeNull();
  });
});

describe('races', () => {
  test('10 users renaming themselves to one name at once: exactly one wins, the rest get 409', async () => {
    const racers = await Promise.all(Array.from({ length: 10 }, () => registerUser()));
    const username = uniqueName('contested');

    const responses = await Promise.all(
      racers.map((racer) => api('PUT', '/api/user', { token: racer.token, body: { user: { username } } })),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
  });
});

describe('a token whose user has been deleted', () => {
  test('is refused with 401 on every route that requires a user', async () => {
    const [gone, author] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const comment = await api('POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: { body: 'hello' } },
    });
    await db.delete(users).where(eq(users.username, gone.username));
    const as = { token: gone.token };

    const responses = [
      await api('GET', '/api/user', as),
      await api('PUT', '/api/user', { ...as, body: { user: { bio: 'x' } } }),
      await api('GET', '/api/articles/feed', as),
      await api('POST', '/api/articles', { ...as, body: { article: { title: 't', description: 'd', body: 'b' } } }),
      await api('PUT', `/api/articles/${article.slug}`, { ...as, body: { article: { body: 'x' } } }),
      await api('DELETE', `/api/articles/${article.slug}`, as),
      await api('POST', `/api/articles/${article.slug}/favorite`, as),
      await api('DELETE', `/api/articles/${article.slug}/favorite`, as),
      await api('POST', `/api/articles/${article.slug}/comments`, { ...as, body: { comment: { body: 'x' } } }),
      await api('DELETE', `/api/articles/${article.slug}/comments/${comment.body.comment.id}`, as),
      await api('POST', `/api/profiles/${author.username}/follow`, as),
      await api('DELETE', `/api/profiles/${author.username}/follow`, as),
    ];

    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ errors: { token: ['invalid'] } });
    }
  });

  test('is served as anonymous where a token is optional', async () => {
    const [gone, author] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    await db.delete(users).where(eq(users.username, gone.username));

    for (const path of [
      '/api/articles',
      `/api/articles/${article.slug}`,
      `/api/articles/${article.slug}/comments`,
      `/api/profiles/${author.username}`,
    ]) {
      const anonymous = await api('GET', path);
      const withToken = await api('GET', path, { token: gone.token });

      expect(withToken.status).toBe(200);
      expect(withToken.body).toEqual(anonymous.body);
    }
  });
});

describe('password hashing', () => {
  test('an unknown email costs a password check too, so timing does not tell which emails exist', async () => {
    const verify = spyOn(Bun.password, 'verify');
    try {
      const response = await api('POST', '/api/users/login', {
        body: { user: { email: `${uniqueName()}@example.com`, password: 'not the password' } },
      });

      expect(response.status).toBe(401);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });
});
