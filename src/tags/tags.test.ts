import { describe, expect, test } from 'bun:test';
import { sql } from 'drizzle-orm';
import { auth, createArticle, registerUser, testClient, uniqueName } from '../test/api';
import { testApp } from '../test/app';

const client = await testClient();

const { db } = (await testApp()).database;

describe('GET /api/tags', () => {
  test('lists the tags in use, most used first', async () => {
    const author = await registerUser();
    const [rare, common, medium] = [uniqueName('rare'), uniqueName('common'), uniqueName('medium')];
    await createArticle(author, { tagList: [common, medium, rare] });
    await createArticle(author, { tagList: [common, medium] });
    await createArticle(author, { tagList: [common] });

    const response = await client.api.tags.get();

    expect(response.status).toBe(200);
    const ours = response.data?.tags.filter((tag) => [rare, common, medium].includes(tag));
    expect(ours).toEqual([common, medium, rare]);
  });

  test('a tag no article carries any more is not listed', async () => {
    const author = await registerUser();
    const tag = uniqueName('fleeting');
    const article = await createArticle(author, { tagList: [tag] });
    expect((await client.api.tags.get()).data?.tags).toContain(tag);

    await client.api.articles({ slug: article.slug }).put({ article: { tagList: [] } }, auth(author.token));

    expect((await client.api.tags.get()).data?.tags).not.toContain(tag);
  });
});

describe('tags.article_count, the retired count the next release drops', () => {
  test('this version works without it: new tags by a create and by an update, and the tag list', async () => {
    const author = await registerUser();
    const [first, second] = [uniqueName('first'), uniqueName('second')];
    // What the next release's migration does while this version still serves.
    await db.execute(sql`alter table tags drop column article_count`);
    try {
      const article = await createArticle(author, { tagList: [first] });
      const updated = await client.api
        .articles({ slug: article.slug })
        .put({ article: { tagList: [first, second] } }, auth(author.token));

      expect(article.tagList).toEqual([first]);
      expect(updated.status).toBe(200);
      expect(updated.data?.article.tagList.toSorted()).toEqual([first, second].toSorted());
      expect((await client.api.tags.get()).data?.tags).toEqual(expect.arrayContaining([first, second]));
    } finally {
      // Back as the migrations left it, for the tests that follow.
      await db.execute(sql`alter table tags add column article_count integer default 0 not null`);
      await db.execute(sql`create index tags_popular_idx on tags (article_count desc nulls first, name)`);
    }
  });
});
