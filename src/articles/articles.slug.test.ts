import { describe, expect, test } from 'bun:test';
import { auth, createArticle, ok, registerUser, type TestUser, testClient } from '../test/api';
import { testApp } from '../test/app';
import { RESERVED_SLUGS, slugCandidates, slugify } from './articles.slug';

const client = await testClient();

const { app } = await testApp();

describe('slugify', () => {
  test.each([
    ['How to train your dragon', 'how-to-train-your-dragon'],
    ['  Leading and trailing  ', 'leading-and-trailing'],
    ['Crème brûlée à la façon', 'creme-brulee-a-la-facon'],
    ['Über Ärger', 'uber-arger'],
    ['C++ & Rust: a -- comparison!!', 'c-rust-a-comparison'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['Ünïcödé 😀 emoji', 'unicode-emoji'],
    ['日本語のタイトル', 'article'],
    ['!!!', 'article'],
  ])('%j becomes %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
  });

  test('long titles are cut, without a trailing hyphen', () => {
    const slug = slugify(`${'word '.repeat(100)}`);
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('slugCandidates', () => {
  test('the plain slug first, then distinct suffixed ones', () => {
    const candidates = [...slugCandidates('Hello World')];
    expect(candidates[0]).toBe('hello-world');
    expect(candidates.length).toBeGreaterThan(3);
    for (const candidate of candidates.slice(1)) expect(candidate).toMatch(/^hello-world-[a-z0-9]{6}$/);
    expect(new Set(candidates).size).toBe(candidates.length);
  });

  test('a reserved slug is never offered plain: a route name gets a suffix at once', () => {
    for (const candidate of slugCandidates('Feed')) expect(candidate).toMatch(/^feed-[a-z0-9]{6}$/);
  });
});

describe('slugs never shadow a route', () => {
  function deletedAtEnd(author: TestUser, slug: string) {
    return {
      [Symbol.asyncDispose]: async () => {
        await client.api.articles({ slug }).delete(undefined, auth(author.token));
      },
    };
  }

  /** Every static segment right under /api/articles/ that the app routes, whatever the method. */
  const routeNames = [
    ...new Set(
      app.routes
        .map(({ path }) => /^\/api\/articles\/([^/:]+)/.exec(path)?.[1])
        .filter((segment) => segment !== undefined),
    ),
  ];

  test('every static path segment under /api/articles/ is a reserved slug', () => {
    expect(routeNames).toContain('feed');
    for (const name of routeNames)
      expect({ name, reserved: RESERVED_SLUGS.has(name) }).toEqual({ name, reserved: true });
  });

  test.each(routeNames)('an article titled %j gets a suffixed slug, and can be read', async (name) => {
    const author = await registerUser();
    const article = await createArticle(author, { title: name });
    // Deleted afterwards whatever happens, so that each test here finds the plain slug free.
    await using _cleanup = deletedAtEnd(author, article.slug);

    expect(article.slug).toMatch(new RegExp(`^${name}-[a-z0-9]{6}$`));
    expect((await client.api.articles({ slug: article.slug }).get()).data?.article.title).toBe(name);
  });

  test('a title changed to a route name moves the article to a suffixed slug', async () => {
    const author = await registerUser();
    const article = await createArticle(author);

    const updated = await client.api
      .articles({ slug: article.slug })
      .put({ article: { title: 'Feed' } }, auth(author.token));
    expect(updated.status).toBe(200);
    const { slug } = ok(updated).article;
    await using _cleanup = deletedAtEnd(author, slug);

    expect(slug).toMatch(/^feed-[a-z0-9]{6}$/);
    expect((await client.api.articles({ slug }).get()).data?.article.title).toBe('Feed');
  });
});
