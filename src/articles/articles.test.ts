import { describe, expect, test } from 'bun:test';
import { auth, createArticle, ISO_UTC, ok, registerUser, send, testClient, uniqueName } from '../test/api';

const client = await testClient();

describe('POST /api/articles', () => {
  test('creates the article, 201, with everything the contract lists', async () => {
    const author = await registerUser();
    const response = await client.api.articles.post(
      {
        article: {
          title: 'How to train your dragon',
          description: 'Ever wonder how?',
          body: 'You have to believe',
          tagList: ['training', 'dragons', 'training', ' dragons '],
        },
      },
      auth(author.token),
    );

    expect(response.status).toBe(201);
    const { article } = ok(response);
    expect(article).toEqual({
      slug: expect.stringMatching(/^how-to-train-your-dragon(-[a-z0-9]{6})?$/),
      title: 'How to train your dragon',
      description: 'Ever wonder how?',
      body: 'You have to believe',
      tagList: ['dragons', 'training'],
      createdAt: expect.stringMatching(ISO_UTC),
      updatedAt: expect.stringMatching(ISO_UTC),
      favorited: false,
      favoritesCount: 0,
      author: { username: author.username, bio: null, image: null, following: false },
    });
  });

  test('tagList is optional', async () => {
    const author = await registerUser();
    const article = await createArticle(author, { tagList: undefined });

    expect(article.tagList).toEqual([]);
  });

  test('15 parallel creates with one title get 15 distinct slugs', async () => {
    const author = await registerUser();
    const title = uniqueName('Same title ');
    const responses = await Promise.all(
      Array.from({ length: 15 }, () =>
        client.api.articles.post({ article: { title, description: 'd', body: 'b' } }, auth(author.token)),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(15).fill(201));
    const slugs = responses.map((r) => r.data?.article.slug);
    expect(new Set(slugs).size).toBe(15);
    for (const slug of slugs) expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test.each([
    [{ title: undefined }, 'title', "can't be blank"],
    [{ title: '   ' }, 'title', "can't be blank"],
    [{ title: 'x'.repeat(256) }, 'title', 'is too long (maximum is 255 characters)'],
    [{ description: undefined }, 'description', "can't be blank"],
    [{ description: '' }, 'description', "can't be blank"],
    [{ description: ' \n\t' }, 'description', "can't be blank"],
    [{ description: 'x'.repeat(1001) }, 'description', 'is too long (maximum is 1000 characters)'],
    [{ body: '' }, 'body', "can't be blank"],
    [{ body: 'x'.repeat(100_001) }, 'body', 'is too long (maximum is 100000 characters)'],
    [{ tagList: 'dragons' }, 'tagList', 'must be an array'],
    [{ tagList: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tagList', 'must have at most 20 items'],
    [{ tagList: ['x'.repeat(65)] }, 'tagList', 'is too long (maximum is 64 characters)'],
    [{ tagList: [''] }, 'tagList', "can't be blank"],
  ])('refuses %j with 422 on %s', async (override, field, message) => {
    const author = await registerUser();
    const response = await send('POST', '/api/articles', {
      token: author.token,
      body: { article: { title: 'A title', description: 'd', body: 'b', ...override } },
    });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { [field]: [message] } });
  });

  test('without a token: 401', async () => {
    const response = await client.api.articles.post({ article: { title: 't', description: 'd', body: 'b' } });

    expect(response.status).toBe(401);
  });
});

describe('GET /api/articles/:slug', () => {
  test('returns the article to anyone; flags are computed for the viewer', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author, { tagList: ['a'] });
    await client.api.profiles({ username: author.username }).follow.post(undefined, auth(reader.token));
    await client.api.articles({ slug: created.slug }).favorite.post(undefined, auth(reader.token));

    const anonymous = await client.api.articles({ slug: created.slug }).get();
    const asReader = await client.api.articles({ slug: created.slug }).get(auth(reader.token));

    expect(anonymous.status).toBe(200);
    expect(anonymous.data?.article).toMatchObject({ slug: created.slug, body: 'The body', favorited: false });
    expect(anonymous.data?.article.author.following).toBe(false);
    expect(asReader.data?.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(asReader.data?.article.author.following).toBe(true);
  });

  test('an unknown slug is a 404 with an errors body', async () => {
    const response = await client.api.articles({ slug: uniqueName('no-such-slug-') }).get();

    expect(response.status).toBe(404);
    expect(response.error?.value).toEqual({ errors: { article: ['not found'] } });
  });
});
