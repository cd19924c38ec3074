/**
 * The article, author and tag counts behind `articlesCount` and the tag list must always equal
 * what a full count would say, whatever wrote the rows: concurrent creates, retags and deletes
 * through the API, cascades, or SQL run by an operator.
 */
import { describe, expect, test } from 'bun:test';
import { count, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { connect } from '../core/connection';
import { auth, createArticle, ok, registerUser, testClient, uniqueName } from '../test/api';
import { changesSeen, operatorDb, testApp } from '../test/app';
import { users } from '../users/schema/users.schema';
import { articleTags } from './schema/article-tags.schema';
import { articles } from './schema/articles.schema';

const client = await testClient();

const { db } = (await testApp()).database;
const { settings } = await testApp();

type User = Awaited<ReturnType<typeof registerUser>>;

/** The count a `count()` select returns in its one row (NaN, equal to no count the API gives, if none). */
const theCount = ([row]: { n: number }[]) => row?.n ?? Number.NaN;

/** What counting the rows says: all articles, each tag's, each author's, and a feed following all the authors. */
async function trueCounts(tagNames: string[], authors: User[]) {
  const counted = (where?: SQL) =>
    db
      .select({ n: count() })
      .from(articles)
      .innerJoin(users, eq(users.id, articles.authorId))
      .where(where)
      .then(theCount);
  const tagged = (tag: string) =>
    db.select({ n: count() }).from(articleTags).where(eq(articleTags.tag, tag)).then(theCount);
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
  const countOf = async (query: { tag?: string; author?: string }) =>
    ok(await client.api.articles.get({ query: { ...query, limit: '1' } })).articlesCount;
  const feed = await client.api.articles.feed.get({ ...auth(follower.token), query: { limit: '1' } });
  return {
    total: await countOf({}),
    perTag: await Promise.all(tagNames.map((tag) => countOf({ tag }))),
    perAuthor: await Promise.all(authors.map((author) => countOf({ author: author.username }))),
    feed: ok(feed).articlesCount,
  };
}

describe('article, author and tag counters', () => {
  test('stay exact through parallel creates, retags and deletes', async () => {
    const authors = await Promise.all(Array.from({ length: 4 }, () => registerUser()));
    const follower = await registerUser();
    for (const author of authors) {
      await client.api.profiles({ username: author.username }).follow.post(undefined, auth(follower.token));
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
      created
        .slice(0, 10)
        .map((article, i) =>
          client.api
            .articles({ slug: article.slug })
            .put({ article: { tagList: palette[(i + 2) % palette.length] } }, auth(authorOf(i).token)),
        ),
    );
    // Each of these is deleted twice at once: the counters must go down once.
    await Promise.all(
      created.slice(10, 16).flatMap((article, j) => {
        const request = () =>
          client.api.articles({ slug: article.slug }).delete(undefined, auth(authorOf(j + 10).token));
        return [request(), request()];
      }),
    );

    expect(await apiCounts([a, b, c], authors, follower)).toEqual(await trueCounts([a, b, c], authors));
  });

  test('a tag no article carries has a count of 0 and leaves the tag list', async () => {
    const author = await registerUser();
    const tag = uniqueName('once');
    const article = await createArticle(author, { tagList: [tag] });
    await client.api.articles({ slug: article.slug }).delete(undefined, auth(author.token));

    expect((await client.api.articles.get({ query: { tag: tag } })).data).toEqual({ articles: [], articlesCount: 0 });
    expect((await client.api.tags.get()).data?.tags).not.toContain(tag);
  });

  test('a page past the end still reports the total', async () => {
    const author = await registerUser();
    await createArticle(author);
    await createArticle(author);

    const response = await client.api.articles.get({ query: { author: author.username, offset: '5' } });

    expect(response.data).toEqual({ articles: [], articlesCount: 2 });
  });
});

describe('counts kept by the database', () => {
  test('a user deleted in SQL takes their articles out of every count: articles, tags, favorites', async () => {
    const [leaving, staying, fan] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const [shared, theirs] = [uniqueName('shared'), uniqueName('theirs')];
    const gone = await createArticle(leaving, { tagList: [shared, theirs] });
    const kept = await createArticle(staying, { tagList: [shared] });
    // The leaving user favorites and comments on the article that stays; the fan favorites both.
    for (const [user, slug] of [
      [leaving, kept.slug],
      [fan, kept.slug],
      [fan, gone.slug],
    ] as const) {
      await client.api.articles({ slug }).favorite.post(undefined, auth(user.token));
    }
    await client.api.articles({ slug: kept.slug }).comments.post({ comment: { body: 'Hi' } }, auth(leaving.token));
    await client.api.profiles({ username: leaving.username }).follow.post(undefined, auth(fan.token));
    await client.api.profiles({ username: staying.username }).follow.post(undefined, auth(fan.token));
    const totalBefore = ok(await client.api.articles.get({ query: { limit: '1' } })).articlesCount;

    await (await operatorDb()).execute(sql`delete from users where username = ${leaving.username}`);
    await changesSeen();

    expect((await client.api.articles.get({ query: { limit: '1' } })).data?.articlesCount).toBe(totalBefore - 1);
    expect((await client.api.articles.get({ query: { tag: shared } })).data?.articlesCount).toBe(1);
    expect((await client.api.articles.get({ query: { tag: theirs } })).data).toEqual({
      articles: [],
      articlesCount: 0,
    });
    expect((await client.api.articles.get({ query: { author: leaving.username } })).data?.articlesCount).toBe(0);
    expect((await client.api.articles.get({ query: { favorited: fan.username } })).data?.articlesCount).toBe(1);
    expect((await client.api.articles.feed.get(auth(fan.token))).data?.articlesCount).toBe(1);
    expect((await client.api.articles({ slug: kept.slug }).get()).data?.article.favoritesCount).toBe(1);
    expect((await client.api.articles({ slug: kept.slug }).comments.get()).data?.comments).toEqual([]);
    const tagList = (await client.api.tags.get()).data?.tags;
    expect(tagList).toContain(shared);
    expect(tagList).not.toContain(theirs);
  });

  test('an operator moving an article to another author, or retagging it, in SQL', async () => {
    const [from, to] = await Promise.all([registerUser(), registerUser()]);
    const [before, after] = [uniqueName('before'), uniqueName('after')];
    const article = await createArticle(from, { tagList: [before] });

    const operator = await operatorDb();
    await operator.execute(sql`update articles set author_id = (select id from users where username = ${to.username})
      where slug = ${article.slug}`);
    await operator.execute(sql`insert into tags (name) values (${after})`);
    await operator.execute(sql`update article_tags set tag = ${after} where tag = ${before}`);
    await changesSeen();

    const countOf = async (query: { tag?: string; author?: string }) =>
      ok(await client.api.articles.get({ query })).articlesCount;
    expect(await countOf({ author: from.username })).toBe(0);
    expect(await countOf({ author: to.username })).toBe(1);
    expect(await countOf({ tag: before })).toBe(0);
    expect(await countOf({ tag: after })).toBe(1);
  });

  // Needs connections at once: the embedded database has one.
  test.skipIf(!settings.database.url)(
    'concurrent article writes, even by one author with one tag and more writers than shards, do not wait for each other',
    async () => {
      // More than the 16 shards the first writers take (and fewer than PgBouncer's 20 server connections in CI).
      const WRITERS = 18;
      const author = await registerUser();
      const tag = uniqueName('popular');
      await createArticle(author, { tagList: [tag] }); // the tag exists, as a popular tag does
      const connections = await Promise.all(
        Array.from({ length: WRITERS }, () =>
          connect({ url: settings.database.url, pgbouncer: settings.database.pgbouncer }),
        ),
      );
      let written = 0;
      let allWritten: () => void = () => {};
      const everyoneHasWritten = new Promise<void>((resolve) => {
        allWritten = resolve;
      });
      try {
        await Promise.all(
          connections.map(({ db: writer }) =>
            writer.transaction(async (open) => {
              // A writer that had to wait for another's counts would give up here, failing the test.
              await open.execute(sql`set local lock_timeout = '2s'`);
              await open.execute(sql`with article as (
                  insert into articles (slug, title, description, body, author_id)
                  select ${uniqueName('concurrent')}, 'T', 'D', 'B', id from users where username = ${author.username}
                  returning id, created_at
                ), tag as (insert into tags (name) values (${tag}) on conflict do nothing)
                insert into article_tags (article_id, tag, article_created_at) select id, ${tag}, created_at from article`);
              if (++written === WRITERS) allWritten();
              // Every writer holds its counts uncommitted until all have written.
              await everyoneHasWritten;
            }),
          ),
        );
        expect((await client.api.articles.get({ query: { tag: tag } })).data?.articlesCount).toBe(WRITERS + 1);
        expect((await client.api.articles.get({ query: { author: author.username } })).data?.articlesCount).toBe(
          WRITERS + 1,
        );
      } finally {
        await Promise.all(connections.map((connection) => connection.close()));
      }
    },
  );
});
