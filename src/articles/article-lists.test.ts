import { describe, expect, test } from 'bun:test';
import { api, createArticle, INVALID_PAGING, registerUser, type TestUser, uniqueName } from '../test/api';

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

  test.each(INVALID_PAGING)('refuses %s with 422 on %s', async (query, field) => {
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
