/**
 * The article and tag counters behind `articlesCount` and the tag list must always equal what a
 * full count would say, whatever mix of concurrent creates, retags and deletes came before.
 */
import { describe, expect, test } from 'bun:test';
import { count, eq } from 'drizzle-orm';
import { db } from '../core/database';
import { api, createArticle, registerUser, uniqueName } from '../test/api';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';

async function trueCounts(tagNames: string[]) {
  const [total] = await db.select({ n: count() }).from(articles);
  const perTag = await Promise.all(
    tagNames.map(
      async (tag) => (await db.select({ n: count() }).from(articleTags).where(eq(articleTags.tag, tag)))[0]?.n,
    ),
  );
  return { total: total?.n, perTag };
}

async function apiCounts(tagNames: string[]) {
  const total = (await api('GET', '/api/articles?limit=1')).body.articlesCount;
  const perTag = await Promise.all(
    tagNames.map(async (tag) => (await api('GET', `/api/articles?tag=${tag}&limit=1`)).body.articlesCount),
  );
  return { total, perTag };
}

describe('article and tag counters', () => {
  test('stay exact through parallel creates, retags and deletes', async () => {
    const authors = await Promise.all(Array.from({ length: 4 }, () => registerUser()));
    const [a, b, c] = [uniqueName('ta'), uniqueName('tb'), uniqueName('tc')];
    const palette = [[a], [a, b], [b, c], [a, b, c], []];

    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createArticle(authors[i % authors.length] as (typeof authors)[number], {
          tagList: palette[i % palette.length],
        }),
      ),
    );
    const authorOf = (i: number) => authors[i % authors.length] as (typeof authors)[number];

    await Promise.all(
      created.slice(0, 10).map((article, i) =>
        api('PUT', `/api/articles/${article.slug}`, {
          token: authorOf(i).token,
          body: { article: { tagList: palette[(i + 2) % palette.length] } },
        }),
      ),
    );
    // Each of these is deleted twice at once: the counters must go down once.
    await Promise.all(
      created.slice(10, 16).flatMap((article, j) => {
        const request = () => api('DELETE', `/api/articles/${article.slug}`, { token: authorOf(j + 10).token });
        return [request(), request()];
      }),
    );

    expect(await apiCounts([a, b, c])).toEqual(await trueCounts([a, b, c]));
  });

  test('a tag no article carries has a count of 0 and leaves the tag list', async () => {
    const author = await registerUser();
    const tag = uniqueName('once');
    const article = await createArticle(author, { tagList: [tag] });
    await api('DELETE', `/api/articles/${article.slug}`, { token: author.token });

    expect((await api('GET', `/api/articles?tag=${tag}`)).body).toEqual({ articles: [], articlesCount: 0 });
    expect((await api('GET', '/api/tags')).body.tags).not.toContain(tag);
  });

  test('a page past the end still reports the total', async () => {
    const author = await registerUser();
    await createArticle(author);
    await createArticle(author);

    const response = await api('GET', `/api/articles?author=${author.username}&offset=5`);

    expect(response.body).toEqual({ articles: [], articlesCount: 2 });
  });
});
