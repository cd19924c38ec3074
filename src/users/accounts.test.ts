/** Account rules beyond the endpoints' basics: usernames, images, races, deleted users, password hashing. */
import { describe, expect, spyOn, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auth, createArticle, ok, registerUser, send, testClient, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import { users } from './schema/users.schema';

const client = await testClient();

const { db } = (await testApp()).database;

function newUser(overrides: Record<string, unknown> = {}) {
  const username = uniqueName();
  return { username, email: `${username}@example.com`, password: 'correct horse', ...overrides };
}

describe('usernames', () => {
  test('are unique whatever their letter case, on registration and on rename', async () => {
    const taken = await registerUser({ username: uniqueName('Admin') });
    const other = await registerUser();

    const registration = await client.api.users.post({ user: newUser({ username: taken.username.toLowerCase() }) });
    const rename = await client.api.user.put({ user: { username: taken.username.toUpperCase() } }, auth(other.token));

    expect(registration.status).toBe(409);
    expect(registration.error?.value).toEqual({ errors: { username: ['has already been taken'] } });
    expect(rename.status).toBe(409);
  });

  test('"." and ".." cannot be registered: they can never be addressed in a URL path', async () => {
    for (const username of ['.', '..']) {
      const response = await client.api.users.post({ user: newUser({ username }) });

      expect(response.status).toBe(422);
      expect(response.error?.value).toEqual({
        errors: { username: ["may only contain letters, digits, '_', '-' and '.', and may not be '.' or '..'"] },
      });
    }
    expect((await client.api.users.post({ user: newUser({ username: uniqueName('...') }) })).status).toBe(201);
  });

  test('are found in any letter case: profiles, ?author= and ?favorited=', async () => {
    const author = await registerUser({ username: uniqueName('MixedCase') });
    await createArticle(author);
    await client.api
      .articles({ slug: (await createArticle(author)).slug })
      .favorite.post(undefined, auth(author.token));
    const shouted = author.username.toUpperCase();

    const profile = await client.api.profiles({ username: shouted }).get();
    expect(profile.status).toBe(200);
    expect(profile.data?.profile.username).toBe(author.username);
    expect((await client.api.articles.get({ query: { author: shouted } })).data?.articlesCount).toBe(2);
    expect((await client.api.articles.get({ query: { favorited: shouted } })).data?.articlesCount).toBe(1);
  });
});

describe('profile images', () => {
  test.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'ftp://example.com/a.png', 'not a url'])(
    '%s is refused: only http and https addresses',
    async (image) => {
      const user = await registerUser();
      const response = await client.api.user.put({ user: { image } }, auth(user.token));

      expect(response.status).toBe(422);
      expect(response.error?.value).toEqual({ errors: { image: ['must be an http or https URL'] } });
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
    const response = await client.api.user.put({ user: { image } }, auth(user.token));

    expect(response.status).toBe(422);
    expect(response.error?.value).toEqual({ errors: { image: ['must be an http or https URL'] } });
  });

  test('an address is stored as sent, trimmed: not rewritten by the URL parser', async () => {
    const user = await registerUser();
    const image = 'HTTPS://Bücher.example/Café%20crème.png?size=2&x=%22';
    const response = await client.api.user.put({ user: { image: ` ${image}\n` } }, auth(user.token));

    expect(response.status).toBe(200);
    expect(response.data?.user.image).toBe(image);
  });

  test('an invisible character is not an address (blank is allowed here, so no "can\'t be blank")', async () => {
    const user = await registerUser();
    const response = await client.api.user.put({ user: { image: '\u200B' } }, auth(user.token));

    expect(response.status).toBe(422);
    expect(response.error?.value).toEqual({ errors: { image: ['must be an http or https URL'] } });
  });

  test('http and https addresses are kept; blank clears the image', async () => {
    const user = await registerUser();
    const set = (image: string | null) => client.api.user.put({ user: { image } }, auth(user.token));

    expect((await set('https://example.com/me.png')).data?.user.image).toBe('https://example.com/me.png');
    expect((await set('HTTP://example.com/me.png')).data?.user.image).toBe('HTTP://example.com/me.png');
    expect((await set('  ')).data?.user.image).toBeNull();
  });
});

describe('races', () => {
  test('10 users renaming themselves to one name at once: exactly one wins, the rest get 409', async () => {
    const racers = await Promise.all(Array.from({ length: 10 }, () => registerUser()));
    const username = uniqueName('contested');

    const responses = await Promise.all(
      racers.map((racer) => client.api.user.put({ user: { username } }, auth(racer.token))),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(409)]);
  });
});

describe('a token whose user has been deleted', () => {
  test('is refused with 401 on every route that requires a user', async () => {
    const [gone, author] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const comment = await client.api
      .articles({ slug: article.slug })
      .comments.post({ comment: { body: 'hello' } }, auth(author.token));
    await db.delete(users).where(eq(users.username, gone.username));
    const as = auth(gone.token);
    const theArticle = client.api.articles({ slug: article.slug });
    const theAuthor = client.api.profiles({ username: author.username });

    const responses = [
      await client.api.user.get(as),
      await client.api.user.put({ user: { bio: 'x' } }, as),
      await client.api.articles.feed.get(as),
      await client.api.articles.post({ article: { title: 't', description: 'd', body: 'b' } }, as),
      await theArticle.put({ article: { body: 'x' } }, as),
      await theArticle.delete(undefined, as),
      await theArticle.favorite.post(undefined, as),
      await theArticle.favorite.delete(undefined, as),
      await theArticle.comments.post({ comment: { body: 'x' } }, as),
      await theArticle.comments({ id: ok(comment).comment.id }).delete(undefined, as),
      await theAuthor.follow.post(undefined, as),
      await theAuthor.follow.delete(undefined, as),
    ];

    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.error?.value).toEqual({ errors: { token: ['invalid'] } });
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
      const anonymous = await send('GET', path);
      const withToken = await send('GET', path, { token: gone.token });

      expect(withToken.status).toBe(200);
      expect(withToken.body).toEqual(anonymous.body);
    }
  });
});

describe('password hashing', () => {
  test('an unknown email costs a password check too, so timing does not tell which emails exist', async () => {
    const verify = spyOn(Bun.password, 'verify');
    try {
      const response = await client.api.users.login.post({
        user: { email: `${uniqueName()}@example.com`, password: 'not the password' },
      });

      expect(response.status).toBe(401);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });
});
