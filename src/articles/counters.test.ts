/**
 * The article, author and tag counters behind `articlesCount` and the tag list must always equal
 * what a full count would say, whatever mix of concurrent creates, retags and deletes came before.
 */
import { describe, expect, test } from 'bun:test';
import { count, eq, inArray, type SQL } from 'drizzle-orm';
import { db } from '../core/database';
import { api, createArticle, registerUser, uniqueName } from '../test/api';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';

type User = Awaited<ReturnType<typeof registerUser>>;

/** What counting the rows says: all articles, each tag's, each author's, and a feed following all the authors. */
async function trueCounts(tagNames: string[], authors: User[]) {
  const counted = (where?: SQL) =>
    db
      .select({ n: count() })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(where)
      .then(([row]) => row?.n);
  const tagged = (tag: string) =>
    db
      .select({ n: count() })
      .from(articleTags)
      .where(eq(articleTags.tag, tag))
      .then(([row]) => row?.n);
  const usernames = authors.map((author) => author.username);
  return {
    total: await counted(),
    perTag: await Promise.all(tagNames.map(tagged)),
    perAuthor: await Promise.all(usernames.map((username) => counted(eq(users.username, username)))),
    feed: await counted(inArray(users.username, usernames)),
  };
}

/** What the API says, through the counters. */
async function apiCounts(tagNames: string[], authors: User[], follower: User) {
  const countOf = async (query: string, token?: string) =>
    (await api('GET', `/api/articles${query}`, { token })).body.articlesCount;
  return {
    total: await countOf('?limit=1'),
    perTag: await Promise.all(tagNames.map((tag) => countOf(`?tag=${tag}&limit=1`))),
    perAuthor: await Promise.all(authors.map((author) => countOf(`?author=${author.username}&limit=1`))),
    feed: await countOf('/feed?limit=1', follower.token),
  };
}

describe('article, author and tag counters', () => {
  test('stay exact through parallel creates, retags and deletes', async () => {
    const authors = await Promise.all(Array.from({ length: 4 }, () => registerUser()));
    const follower = await registerUser();
    for (const author of authors) {
      await api('POST', `/api/profiles/${author.username}/follow`, { token: follower.token });
    }
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

    expect(await apiCounts([a, b, c], authors, follower)).toEqual(await trueCounts([a, b, c], authors));
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
