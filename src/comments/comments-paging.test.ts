/**
 * GET /api/articles/:slug/comments has a bounded cost: a page of at most 100 comments (the default)
 * and about 1 MiB, `limit` and `offset` to read on, and a `Link` header while more follow.
 */
import { describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { articles } from '../articles/schema/articles.schema';
import {
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
import { testApp } from '../test/app';
import { users } from '../users/schema/users.schema';
import { comments } from './schema/comments.schema';

const client = await testClient();

const { db } = (await testApp()).database;

/**
 * Adds `count` comments straight in the database (through the API it would take long), two per
 * second of creation time so that ties must be broken by id, and returns their ids newest first.
 */
async function seedComments(slug: string, author: TestUser, count: number, body = (i: number) => `comment ${i}`) {
  const [article] = await db.select({ id: articles.id }).from(articles).where(eq(articles.slug, slug));
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.username, author.username));
  if (!article || !user) throw new Error('no such article or user');
  const start = Date.parse('2026-01-01T00:00:00Z');
  const rows = Array.from({ length: count }, (_, i) => {
    const createdAt = new Date(start + Math.floor(i / 2) * 1000);
    return { articleId: article.id, authorId: user.id, body: body(i), createdAt, updatedAt: createdAt };
  });
  const inserted = await db.insert(comments).values(rows).returning({ id: comments.id, createdAt: comments.createdAt });
  return inserted
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id)
    .map((comment) => comment.id);
}

async function articleWithComments(count: number, body?: (i: number) => string) {
  const author = await registerUser();
  const article = await createArticle(author);
  return { slug: article.slug, newestFirst: await seedComments(article.slug, author, count, body) };
}

const idsOf = (body: { comments: { id: number }[] }) => body.comments.map((comment) => comment.id);

describe('GET /api/articles/:slug/comments, paged', () => {
  test('a front end that sends no paging gets the newest 100 comments, newest first, and a link to the rest', async () => {
    const { slug, newestFirst } = await articleWithComments(105);

    const response = await client.api.articles({ slug }).comments.get();

    expect(response.status).toBe(200);
    expect(idsOf(ok(response))).toEqual(newestFirst.slice(0, 100));
    expect(response.response.headers.get('link')).toBe('<?limit=100&offset=100>; rel="next"');
  });

  test('limit and offset page through them: stable, ties broken by id, the Link header leading on', async () => {
    const { slug, newestFirst } = await articleWithComments(7);
    const pages: number[][] = [];
    let next: URL | undefined = new URL(`http://localhost/api/articles/${slug}/comments?limit=3`);

    while (next) {
      expect(next.pathname).toBe(`/api/articles/${slug}/comments`);
      const query: Record<string, string> = Object.fromEntries(next.searchParams);
      const response = await client.api.articles({ slug }).comments.get({ query });
      expect(response.status).toBe(200);
      pages.push(idsOf(ok(response)));
      const link: string | undefined = response.response.headers.get('link')?.match(/^<([^>]+)>; rel="next"$/)?.[1];
      next = link === undefined ? undefined : new URL(link, next);
    }

    expect(pages).toEqual([newestFirst.slice(0, 3), newestFirst.slice(3, 6), newestFirst.slice(6)]);
    expect(idsOf(ok(await client.api.articles({ slug }).comments.get({ query: { offset: '5', limit: '2' } })))).toEqual(
      newestFirst.slice(5),
    );
  });

  test('a page of long comments stops at about 1 MiB; the Link header leads on from the next one', async () => {
    // 10,000 characters of three UTF-8 bytes each: about 30 KB per comment, 4.5 MB in all.
    const { slug, newestFirst } = await articleWithComments(150, (i) => `${i}`.padEnd(10_000, '€'));

    const first = await client.api.articles({ slug }).comments.get();
    const shown = ok(first).comments.length;
    expect(shown).toBeGreaterThan(30);
    expect(shown).toBeLessThan(40);
    expect(Buffer.byteLength(JSON.stringify(first.data))).toBeLessThan(1024 * 1024 + 32_000);
    expect(first.response.headers.get('link')).toBe(`<?limit=100&offset=${shown}>; rel="next"`);

    const ids = idsOf(ok(first));
    for (let offset = shown; offset < 150; offset += 30) {
      ids.push(
        ...idsOf(
          ok(await client.api.articles({ slug }).comments.get({ query: { offset: String(offset), limit: '30' } })),
        ),
      );
    }
    expect(ids).toEqual(newestFirst);
  });

  test('an offset past the end is an empty page; an unknown article is a 404 however it is paged', async () => {
    const { slug } = await articleWithComments(3);

    const past = await client.api.articles({ slug }).comments.get({ query: { offset: '3' } });
    expect(past.status).toBe(200);
    expect(past.data).toEqual({ comments: [] });
    expect(past.response.headers.get('link')).toBeNull();
    const unknown = await client.api
      .articles({ slug: uniqueName('nope-') })
      .comments.get({ query: { limit: '5', offset: '5' } });
    expect(unknown.status).toBe(404);
    expect(unknown.error?.value).toEqual({ errors: { article: ['not found'] } });
  });

  test.each(INVALID_PAGING)('refuses %s with 422 on %s, like the article lists', async (query, field) => {
    const { slug } = await articleWithComments(1);

    const response = await send('GET', `/api/articles/${slug}/comments?${query}`);

    expect(response.status).toBe(422);
    expect(Object.keys(errorsOf(response.body))).toEqual([field]);
  });

  test('browsers may read the Link header across origins', async () => {
    const { slug } = await articleWithComments(2);

    const response = await client.api
      .articles({ slug })
      .comments.get({ headers: { origin: 'https://front.example' }, query: { limit: '1' } });

    expect(response.response.headers.get('link')).toBe('<?limit=1&offset=1>; rel="next"');
    expect(response.response.headers.get('access-control-expose-headers')).toContain('Link');
  });
});
