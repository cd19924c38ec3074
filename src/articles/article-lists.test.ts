import { describe, expect, test } from 'bun:test';
import {
  auth,
  createArticle,
  errorsOf,
  INVALID_PAGING,
  ok,
  registerUser,
  send,
  type TestUser,
  testClient,
  uniqueName,
} from '../test/api';

const client = await testClient();

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
      [0, 2, 4].map((offset) =>
        client.api.articles.get({ query: { author: author.username, limit: '2', offset: String(offset) } }),
      ),
    );

    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.data?.articlesCount).toBe(5);
      for (const article of ok(page).articles) expect(article).not.toHaveProperty('body');
    }
    expect(pages.flatMap((page) => page.data?.articles.map((a) => a.slug))).toEqual(newestFirst);
  });

  test('defaults to 20 per page', async () => {
    const author = await registerUser();
    await createMany(author, 21);

    const response = await client.api.articles.get({ query: { author: author.username } });

    expect(response.data?.articles).toHaveLength(20);
    expect(response.data?.articlesCount).toBe(21);
  });

  test('filters by tag, author and favoriter, and combines them', async () => {
    const [alice, bob, fan] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const tag = uniqueName('tag');
    const aliceTagged = await createArticle(alice, { tagList: [tag] });
    const bobTagged = await createArticle(bob, { tagList: [tag, 'other'] });
    const aliceUntagged = await createArticle(alice);
    await client.api.articles({ slug: bobTagged.slug }).favorite.post(undefined, auth(fan.token));
    await client.api.articles({ slug: aliceUntagged.slug }).favorite.post(undefined, auth(fan.token));

    const slugs = async (query: { tag?: string; author?: string; favorited?: string }) => {
      const response = await client.api.articles.get({ query });
      expect(response.status).toBe(200);
      const { articles, articlesCount } = ok(response);
      expect(articlesCount).toBe(articles.length);
      return articles.map((a) => a.slug);
    };

    expect(await slugs({ tag })).toEqual([bobTagged.slug, aliceTagged.slug]);
    expect(await slugs({ author: alice.username })).toEqual([aliceUntagged.slug, aliceTagged.slug]);
    expect(await slugs({ favorited: fan.username })).toEqual([aliceUntagged.slug, bobTagged.slug]);
    expect(await slugs({ tag, author: alice.username })).toEqual([aliceTagged.slug]);
    expect(await slugs({ tag, favorited: fan.username })).toEqual([bobTagged.slug]);
    expect(await slugs({ author: alice.username, favorited: fan.username })).toEqual([aliceUntagged.slug]);
    expect(await slugs({ author: uniqueName('ghost') })).toEqual([]);
  });

  test("?favorited= comes in the articles' order (most recent first), not the order they were favorited in, and pages", async () => {
    const [author, fan] = await Promise.all([registerUser(), registerUser()]);
    const older = await createArticle(author);
    const newer = await createArticle(author);
    const newest = await createArticle(author);
    for (const article of [newest, older, newer]) {
      await client.api.articles({ slug: article.slug }).favorite.post(undefined, auth(fan.token));
    }

    const page = async (paging: { limit: string; offset?: string }) => {
      const response = await client.api.articles.get({ query: { favorited: fan.username, ...paging } });
      const { articles, articlesCount } = ok(response);
      return { slugs: articles.map((a) => a.slug), count: articlesCount };
    };

    expect(await page({ limit: '2' })).toEqual({ slugs: [newest.slug, newer.slug], count: 3 });
    expect(await page({ limit: '2', offset: '2' })).toEqual({ slugs: [older.slug], count: 3 });
  });

  test('flags are computed for the viewer, false when anonymous', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    await createArticle(author);
    const favorite = await createArticle(author);
    await client.api.articles({ slug: favorite.slug }).favorite.post(undefined, auth(reader.token));
    await client.api.profiles({ username: author.username }).follow.post(undefined, auth(reader.token));

    const asReader = await client.api.articles.get({ ...auth(reader.token), query: { author: author.username } });
    const anonymous = await client.api.articles.get({ query: { author: author.username } });

    expect(asReader.data?.articles.map((a) => a.favorited)).toEqual([true, false]);
    expect(asReader.data?.articles.map((a) => a.favoritesCount)).toEqual([1, 0]);
    expect(asReader.data?.articles.every((a) => a.author.following)).toBe(true);
    expect(anonymous.data?.articles.some((a) => a.favorited)).toBe(false);
    expect(anonymous.data?.articles.some((a) => a.author.following)).toBe(false);
  });

  test.each(INVALID_PAGING)('refuses %s with 422 on %s', async (query, field) => {
    const response = await send('GET', `/api/articles?${query}`);

    expect(response.status).toBe(422);
    expect(Object.keys(errorsOf(response.body))).toEqual([field]);
  });

  test('accepts the extremes of the ranges and ignores unknown parameters', async () => {
    for (const query of ['limit=1', 'limit=100', 'offset=0', 'offset=999999999', 'unknown=1&sort=desc']) {
      expect((await send('GET', `/api/articles?${query}`)).status).toBe(200);
    }
  });
});

describe('GET /api/articles/feed', () => {
  test('only articles by followed authors, most recent first, with the total count', async () => {
    const [reader, followed, ignored] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    await client.api.profiles({ username: followed.username }).follow.post(undefined, auth(reader.token));
    const first = await createArticle(followed);
    await createArticle(ignored);
    const second = await createArticle(followed);
    const third = await createArticle(followed);

    const page1 = await client.api.articles.feed.get({ ...auth(reader.token), query: { limit: '2' } });
    const page2 = await client.api.articles.feed.get({ ...auth(reader.token), query: { limit: '2', offset: '2' } });

    expect(page1.status).toBe(200);
    expect(page1.data?.articlesCount).toBe(3);
    expect(page1.data?.articles.map((a) => a.slug)).toEqual([third.slug, second.slug]);
    expect(page2.data?.articles.map((a) => a.slug)).toEqual([first.slug]);
    expect(page1.data?.articles[0]?.author.following).toBe(true);
    expect(page1.data?.articles[0]).not.toHaveProperty('body');
  });

  test('is empty for someone who follows nobody', async () => {
    const reader = await registerUser();
    const response = await client.api.articles.feed.get(auth(reader.token));

    expect(response.data).toEqual({ articles: [], articlesCount: 0 });
  });

  test('401 without a token; 422 for bad paging', async () => {
    const reader = await registerUser();
    expect((await client.api.articles.feed.get()).status).toBe(401);
    expect((await client.api.articles.feed.get({ ...auth(reader.token), query: { limit: '0' } })).status).toBe(422);
  });
});
