import { describe, expect, test } from 'bun:test';
import { api, createArticle, ISO_UTC, registerUser, uniqueName } from '../test/api';

describe('POST /api/articles', () => {
  test('creates the article, 201, with everything the contract lists', async () => {
    const author = await registerUser();
    const response = await api('POST', '/api/articles', {
      token: author.token,
      body: {
        article: {
          title: 'How to train your dragon',
          description: 'Ever wonder how?',
          body: 'You have to believe',
          tagList: ['training', 'dragons', 'training', ' dragons '],
        },
      },
    });

    expect(response.status).toBe(201);
    const { article } = response.body;
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
        api('POST', '/api/articles', {
          token: author.token,
          body: { article: { title, description: 'd', body: 'b' } },
        }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(15).fill(201));
    const slugs = responses.map((r) => r.body.article.slug);
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
    const response = await api('POST', '/api/articles', {
      token: author.token,
      body: { article: { title: 'A title', description: 'd', body: 'b', ...override } },
    });

    expect(response.status).toBe(422);
    expect(response.body).toEqual({ errors: { [field]: [message] } });
  });

  test('without a token: 401', async () => {
    const response = await api('POST', '/api/articles', {
      body: { article: { title: 't', description: 'd', body: 'b' } },
    });

    expect(response.status).toBe(401);
  });
});

describe('GET /api/articles/:slug', () => {
  test('returns the article to anyone; flags are computed for the viewer', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author, { tagList: ['a'] });
    await api('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });
    await api('POST', `/api/articles/${created.slug}/favorite`, { token: reader.token });

    const anonymous = await api('GET', `/api/articles/${created.slug}`);
    const asReader = await api('GET', `/api/articles/${created.slug}`, { token: reader.token });

    expect(anonymous.status).toBe(200);
    expect(anonymous.body.article).toMatchObject({ slug: created.slug, body: 'The body', favorited: false });
    expect(anonymous.body.article.author.following).toBe(false);
    expect(asReader.body.article).toMatchObject({ favorited: true, favoritesCount: 1 });
    expect(asReader.body.article.author.following).toBe(true);
  });

  test('an unknown slug is a 404 with an errors body', async () => {
    const response = await api('GET', `/api/articles/${uniqueName('no-such-slug-')}`);

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ errors: { article: ['not found'] } });
  });
});
