import { describe, expect, test } from 'bun:test';
import { api, createArticle, ISO_UTC, registerUser, type TestUser, uniqueName } from '../test/api';

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

describe('PUT /api/articles/:slug', () => {
  test('the author updates some fields; the rest stays; updatedAt moves', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['keep'] });
    await Bun.sleep(5);

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { body: 'With two hands' } },
    });

    expect(response.status).toBe(200);
    const { article } = response.body;
    expect(article).toMatchObject({
      slug: created.slug,
      title: created.title,
      description: created.description,
      body: 'With two hands',
      tagList: ['keep'],
      createdAt: created.createdAt,
    });
    expect(Date.parse(article.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
  });

  test('a new title gives a new slug, and the old one is gone', async () => {
    const author = await registerUser();
    const created = await createArticle(author);
    const title = uniqueName('Brand new title ');

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { title } },
    });

    expect(response.status).toBe(200);
    expect(response.body.article.title).toBe(title);
    expect(response.body.article.slug).toBe(title.toLowerCase().replaceAll(' ', '-'));
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(404);
    expect((await api('GET', `/api/articles/${response.body.article.slug}`)).status).toBe(200);
  });

  test('a new title whose slug is taken gets a suffixed slug', async () => {
    const author = await registerUser();
    const first = await createArticle(author, { title: uniqueName('Taken ') });
    const second = await createArticle(author);

    const response = await api('PUT', `/api/articles/${second.slug}`, {
      token: author.token,
      body: { article: { title: first.title } },
    });

    expect(response.status).toBe(200);
    expect(response.body.article.slug).toMatch(new RegExp(`^${first.slug}-[a-z0-9]{6}$`));
  });

  test('tagList replaces the tags', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['old', 'kept'] });

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { tagList: ['new', 'kept'] } },
    });

    expect(response.body.article.tagList).toEqual(['kept', 'new']);
  });

  test('tagList: left out keeps the tags, [] removes them all, null is refused', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['one', 'two'] });
    const update = (article: object) =>
      api('PUT', `/api/articles/${created.slug}`, { token: author.token, body: { article } });

    expect((await update({ body: 'new body' })).body.article.tagList).toEqual(['one', 'two']);
    const refused = await update({ tagList: null });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ errors: { tagList: ['must be an array'] } });
    expect((await update({ tagList: [] })).body.article.tagList).toEqual([]);
    expect((await api('GET', `/api/articles/${created.slug}`)).body.article.tagList).toEqual([]);
  });

  test('blank fields are refused: "can\'t be blank"', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    for (const field of ['title', 'description', 'body']) {
      const response = await api('PUT', `/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { [field]: ' ' } },
      });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({ errors: { [field]: ["can't be blank"] } });
    }
  });

  test('someone else gets 403 and the article does not change', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: other.token,
      body: { article: { title: 'Hijacked', body: 'Hijacked' } },
    });

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ errors: { article: ['forbidden'] } });
    const after = await api('GET', `/api/articles/${created.slug}`);
    expect(after.body.article).toMatchObject({ title: created.title, body: created.body });
  });

  test('401 without a token, 404 for an unknown slug, 422 for invalid fields', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    const anonymous = await api('PUT', `/api/articles/${created.slug}`, { body: { article: { body: 'x' } } });
    const unknown = await api('PUT', `/api/articles/${uniqueName('nope-')}`, {
      token: author.token,
      body: { article: { body: 'x' } },
    });
    const invalid = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { title: '' } },
    });

    expect(anonymous.status).toBe(401);
    expect(unknown.status).toBe(404);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({ errors: { title: ["can't be blank"] } });
  });
});

describe('DELETE /api/articles/:slug', () => {
  test('someone else gets 403 and the article stays', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await api('DELETE', `/api/articles/${created.slug}`, { token: other.token });

    expect(response.status).toBe(403);
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(200);
  });

  test('the author deletes it (204); its comments, favorites and tags go with it', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const tag = uniqueName('gone');
    const created = await createArticle(author, { tagList: [tag] });
    await api('POST', `/api/articles/${created.slug}/favorite`, { token: reader.token });
    await api('POST', `/api/articles/${created.slug}/comments`, {
      token: reader.token,
      body: { comment: { body: 'Nice' } },
    });

    const response = await api('DELETE', `/api/articles/${created.slug}`, { token: author.token });

    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(404);
    expect((await api('GET', `/api/articles/${created.slug}/comments`)).status).toBe(404);
    expect((await api('GET', `/api/articles?favorited=${reader.username}`)).body.articlesCount).toBe(0);
    expect((await api('GET', '/api/tags')).body.tags).not.toContain(tag);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const author = await registerUser();
    expect((await api('DELETE', `/api/articles/${uniqueName('x-')}`)).status).toBe(401);
    expect((await api('DELETE', `/api/articles/${uniqueName('x-')}`, { token: author.token })).status).toBe(404);
  });
});

describe('GET /api/articles', () => {
  /** Creates `count` articles in order, so the last one is the most recent. */
  async function createMany(author: TestUser, count: number, tagList: string[] = []) {
    const created = [];
    for (let i = 0; i < count; i++) created.push(await createArticle(author, { title: `Article ${i}`, tagList }));
    return created;
  }

  test('pages through the matches most recent first; articlesCount is the total; no body', async () => {
    const author = await registerUser();
    const created = await createMany(author, 5);
    const newestFirst = created.map((a) => a.slug).reverse();

    const pages = await Promise.all(
      [0, 2, 4].map((offset) => api('GET', `/api/articles?author=${author.username}&limit=2&offset=${offset}`)),
    );

    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body.articlesCount).toBe(5);
      for (const article of page.body.articles) expect(article).not.toHaveProperty('body');
    }
    expect(pages.flatMap((page) => page.body.articles.map((a: { slug: string }) => a.slug))).toEqual(newestFirst);
  });

  test('defaults to 20 per page', async () => {
    const author = await registerUser();
    await createMany(author, 21);

    const response = await api('GET', `/api/articles?author=${author.username}`);

    expect(response.body.articles).toHaveLength(20);
    expect(response.body.articlesCount).toBe(21);
  });

  test('filters by tag, author and favoriter, and combines them', async () => {
    const [alice, bob, fan] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const tag = uniqueName('tag');
    const aliceTagged = await createArticle(alice, { tagList: [tag] });
    const bobTagged = await createArticle(bob, { tagList: [tag, 'other'] });
    const aliceUntagged = await createArticle(alice);
    await api('POST', `/api/articles/${bobTagged.slug}/favorite`, { token: fan.token });
    await api('POST', `/api/articles/${aliceUntagged.slug}/favorite`, { token: fan.token });

    const slugs = async (query: string) => {
      const response = await api('GET', `/api/articles?${query}`);
      expect(response.status).toBe(200);
      expect(response.body.articlesCount).toBe(response.body.articles.length);
      return response.body.articles.map((a: { slug: string }) => a.slug);
    };

    expect(await slugs(`tag=${tag}`)).toEqual([bobTagged.slug, aliceTagged.slug]);
    expect(await slugs(`author=${alice.username}`)).toEqual([aliceUntagged.slug, aliceTagged.slug]);
    expect(await slugs(`favorited=${fan.username}`)).toEqual([aliceUntagged.slug, bobTagged.slug]);
    expect(await slugs(`tag=${tag}&author=${alice.username}`)).toEqual([aliceTagged.slug]);
    expect(await slugs(`tag=${tag}&favorited=${fan.username}`)).toEqual([bobTagged.slug]);
    expect(await slugs(`author=${alice.username}&favorited=${fan.username}`)).toEqual([aliceUntagged.slug]);
    expect(await slugs(`author=${uniqueName('ghost')}`)).toEqual([]);
  });

  test("?favorited= comes in the articles' order (most recent first), not the order they were favorited in, and pages", async () => {
    const [author, fan] = await Promise.all([registerUser(), registerUser()]);
    const older = await createArticle(author);
    const newer = await createArticle(author);
    const newest = await createArticle(author);
    for (const article of [newest, older, newer]) {
      await api('POST', `/api/articles/${article.slug}/favorite`, { token: fan.token });
    }

    const page = async (paging: string) => {
      const { body } = await api('GET', `/api/articles?favorited=${fan.username}&${paging}`);
      return { slugs: body.articles.map((a: { slug: string }) => a.slug), count: body.articlesCount };
    };

    expect(await page('limit=2')).toEqual({ slugs: [newest.slug, newer.slug], count: 3 });
    expect(await page('limit=2&offset=2')).toEqual({ slugs: [older.slug], count: 3 });
  });

  test('flags are computed for the viewer, false when anonymous', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    await createArticle(author);
    const favorite = await createArticle(author);
    await api('POST', `/api/articles/${favorite.slug}/favorite`, { token: reader.token });
    await api('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });

    const asReader = await api('GET', `/api/articles?author=${author.username}`, { token: reader.token });
    const anonymous = await api('GET', `/api/articles?author=${author.username}`);

    expect(asReader.body.articles.map((a: { favorited: boolean }) => a.favorited)).toEqual([true, false]);
    expect(asReader.body.articles.map((a: { favoritesCount: number }) => a.favoritesCount)).toEqual([1, 0]);
    expect(asReader.body.articles.every((a: { author: { following: boolean } }) => a.author.following)).toBe(true);
    expect(anonymous.body.articles.some((a: { favorited: boolean }) => a.favorited)).toBe(false);
    expect(anonymous.body.articles.some((a: { author: { following: boolean } }) => a.author.following)).toBe(false);
  });

  test.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=', 'limit'],
    ['offset=-1', 'offset'],
    ['offset=ten', 'offset'],
  ])('refuses %s with 422 on %s', async (query, field) => {
    const response = await api('GET', `/api/articles?${query}`);

    expect(response.status).toBe(422);
    expect(Object.keys(response.body.errors)).toEqual([field]);
  });

  test('accepts the extremes of the ranges and ignores unknown parameters', async () => {
    for (const query of ['limit=1', 'limit=100', 'offset=0', 'offset=999999999', 'unknown=1&sort=desc']) {
      expect((await api('GET', `/api/articles?${query}`)).status).toBe(200);
    }
  });
});

describe('GET /api/articles/feed', () => {
  test('only articles by followed authors, most recent first, with the total count', async () => {
    const [reader, followed, ignored] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    await api('POST', `/api/profiles/${followed.username}/follow`, { token: reader.token });
    const first = await createArticle(followed);
    await createArticle(ignored);
    const second = await createArticle(followed);
    const third = await createArticle(followed);

    const page1 = await api('GET', '/api/articles/feed?limit=2', { token: reader.token });
    const page2 = await api('GET', '/api/articles/feed?limit=2&offset=2', { token: reader.token });

    expect(page1.status).toBe(200);
    expect(page1.body.articlesCount).toBe(3);
    expect(page1.body.articles.map((a: { slug: string }) => a.slug)).toEqual([third.slug, second.slug]);
    expect(page2.body.articles.map((a: { slug: string }) => a.slug)).toEqual([first.slug]);
    expect(page1.body.articles[0].author.following).toBe(true);
    expect(page1.body.articles[0]).not.toHaveProperty('body');
  });

  test('is empty for someone who follows nobody', async () => {
    const reader = await registerUser();
    const response = await api('GET', '/api/articles/feed', { token: reader.token });

    expect(response.body).toEqual({ articles: [], articlesCount: 0 });
  });

  test('401 without a token; 422 for bad paging', async () => {
    const reader = await registerUser();
    expect((await api('GET', '/api/articles/feed')).status).toBe(401);
    expect((await api('GET', '/api/articles/feed?limit=0', { token: reader.token })).status).toBe(422);
  });
});

describe('POST and DELETE /api/articles/:slug/favorite', () => {
  test('favorite and unfavorite, idempotently, returning the article', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);
    const path = `/api/articles/${created.slug}/favorite`;

    const first = await api('POST', path, { token: reader.token });
    const second = await api('POST', path, { token: reader.token });
    expect(first.status).toBe(200);
    expect(second.body.article).toMatchObject({ slug: created.slug, favorited: true, favoritesCount: 1 });

    const removed = await api('DELETE', path, { token: reader.token });
    const removedAgain = await api('DELETE', path, { token: reader.token });
    expect(removed.status).toBe(200);
    expect(removedAgain.body.article).toMatchObject({ favorited: false, favoritesCount: 0 });
  });

  test('30 users favoriting at once leave an exact count of 30', async () => {
    const author = await registerUser();
    const created = await createArticle(author);
    const fans = await Promise.all(Array.from({ length: 30 }, () => registerUser()));

    const responses = await Promise.all(
      fans.map((fan) => api('POST', `/api/articles/${created.slug}/favorite`, { token: fan.token })),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect((await api('GET', `/api/articles/${created.slug}`)).body.article.favoritesCount).toBe(30);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const reader = await registerUser();
    const unknown = `/api/articles/${uniqueName('nope-')}/favorite`;
    expect((await api('POST', unknown)).status).toBe(401);
    expect((await api('POST', unknown, { token: reader.token })).status).toBe(404);
    expect((await api('DELETE', unknown, { token: reader.token })).status).toBe(404);
  });
});
