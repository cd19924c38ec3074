/**
 * The read cache through the app: answers come from memory until a change the database announces
 * drops them, whoever wrote it; conditional GETs; a signed-in viewer's own flags; CACHE=off.
 */
import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'drizzle-orm';
import { createApp, createReadCache, createServices } from '../app';
import { MultipleArticlesResponse, SingleArticleResponse } from '../articles/articles.model';
import { MultipleCommentsResponse } from '../comments/comments.model';
import { ProfileResponse } from '../profiles/profiles.model';
import { TagsResponse } from '../tags/tags.model';
import { api, createArticle, registerUser, send, uniqueName } from '../test/api';
import { changesSeen, operatorDb, testApp, testSettings } from '../test/app';
import { messagesOf, parseChange } from './change-feed';

const { repositories, database, settings } = await testApp();
/** Off behind PgBouncer in transaction mode without DATABASE_LISTEN_URL (test:pgbouncer runs the suite so). */
const kept = settings.cache.enabled;
const spies: { mockRestore(): void }[] = [];
afterEach(() => {
  for (const spy of spies.splice(0)) spy.mockRestore();
});

/** Counts the database reads of an article by slug from now on. */
function watchArticleReads() {
  const spy = spyOn(repositories.articleReads, 'findArticle');
  spies.push(spy);
  return spy;
}

describe.skipIf(!kept)('answers kept in memory', () => {
  test('a second read of an article is served from memory; a write through the API drops it at once', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author, { title: uniqueName('Kept ') });
    await api('GET', `/api/articles/${slug}`);
    const reads = watchArticleReads();

    expect((await api('GET', `/api/articles/${slug}`)).body.article.favoritesCount).toBe(0);
    expect(reads).toHaveBeenCalledTimes(0);

    const fan = await registerUser();
    await api('POST', `/api/articles/${slug}/favorite`, { token: fan.token });
    expect((await api('GET', `/api/articles/${slug}`)).body.article.favoritesCount).toBe(1);
  });

  test('every kind of write drops what shows it: list pages, the tag list, comments, profiles', async () => {
    const author = await registerUser();
    const tag = uniqueName('kept');
    const article = await createArticle(author, { tagList: [tag] });
    const reads = {
      list: () => api('GET', `/api/articles?author=${author.username}`),
      tags: () => api('GET', '/api/tags'),
      comments: () => api('GET', `/api/articles/${article.slug}/comments`),
      profile: () => api('GET', `/api/profiles/${author.username}`),
    };
    // Kept now.
    for (const read of Object.values(reads)) expect((await read()).status).toBe(200);

    await api('PUT', `/api/articles/${article.slug}`, {
      token: author.token,
      body: { article: { description: 'Changed', tagList: [`${tag}x`] } },
    });
    expect((await reads.list()).body.articles[0].description).toBe('Changed');
    expect((await reads.tags()).body.tags).toContain(`${tag}x`);
    expect((await reads.tags()).body.tags).not.toContain(tag);

    await api('POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: { body: 'First' } },
    });
    expect((await reads.comments()).body.comments.map((c: { body: string }) => c.body)).toEqual(['First']);

    await api('PUT', '/api/user', { token: author.token, body: { user: { bio: 'New bio' } } });
    expect((await reads.profile()).body.profile.bio).toBe('New bio');
    expect((await reads.list()).body.articles[0].author.bio).toBe('New bio');
    expect((await reads.comments()).body.comments[0].author.bio).toBe('New bio');

    await api('DELETE', `/api/articles/${article.slug}`, { token: author.token });
    expect((await api('GET', `/api/articles/${article.slug}`)).status).toBe(404);
    expect((await reads.comments()).status).toBe(404);
    expect((await reads.list()).body.articlesCount).toBe(0);
  });

  test("an operator's SQL is seen too, once its announcement has arrived", async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    await api('GET', `/api/articles/${slug}`);

    await (await operatorDb()).execute(sql`update articles set title = 'Edited in SQL' where slug = ${slug}`);
    await changesSeen();
    expect((await api('GET', `/api/articles/${slug}`)).body.article.title).toBe('Edited in SQL');
  });

  test('the kept bodies are exactly what the models describe', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author, { tagList: ['modelled'] });
    await api('POST', `/api/articles/${slug}/comments`, { token: author.token, body: { comment: { body: 'Hi' } } });
    const checks = [
      [`/api/articles/${slug}`, SingleArticleResponse],
      [`/api/articles?author=${author.username}`, MultipleArticlesResponse],
      [`/api/articles/${slug}/comments`, MultipleCommentsResponse],
      [`/api/profiles/${author.username}`, ProfileResponse],
      ['/api/tags', TagsResponse],
    ] as const;
    for (const [path, model] of checks) {
      for (const token of [undefined, author.token]) {
        await api('GET', path, { token });
        const { body } = await api('GET', path, { token });
        expect(Value.Check(model, body)).toBe(true);
        // Nothing the model leaves out: cleaning by the model changes nothing.
        expect(Value.Clean(model, structuredClone(body))).toEqual(body);
      }
    }
  });
});

describe.skipIf(!kept)('a signed-in viewer', () => {
  test('sees the shared answer with their own flags, marked private', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const { slug } = await createArticle(author);
    await api('GET', `/api/articles/${slug}`);
    await api('POST', `/api/articles/${slug}/favorite`, { token: reader.token });
    await api('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });

    const own = await api('GET', `/api/articles/${slug}`, { token: reader.token });
    expect(own.body.article).toMatchObject({ favorited: true, author: { following: true } });
    expect(own.headers.get('cache-control')).toBe('private, no-cache');
    const anonymous = await api('GET', `/api/articles/${slug}`);
    expect(anonymous.body.article).toMatchObject({ favorited: false, author: { following: false } });
    expect(anonymous.headers.get('cache-control')).toBe('no-cache');
    expect(anonymous.headers.get('vary')).toBe('Authorization'); // not `*`, which no cache would reuse
    expect(own.headers.get('etag')).not.toBe(anonymous.headers.get('etag'));

    const comments = await api('GET', `/api/articles/${slug}/comments`, { token: reader.token });
    expect(comments.status).toBe(200);
    const profile = await api('GET', `/api/profiles/${author.username.toUpperCase()}`, { token: reader.token });
    expect(profile.body.profile.following).toBe(true);
    await api('DELETE', `/api/profiles/${author.username}/follow`, { token: reader.token });
    expect((await api('GET', `/api/articles/${slug}`, { token: reader.token })).body.article.author.following).toBe(
      false,
    );
  });
});

describe.skipIf(!kept)('conditional GETs', () => {
  test('If-None-Match with the current ETag: 304, no body, no database read; after a change: 200', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const first = await api('GET', `/api/articles/${slug}`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');

    const reads = watchArticleReads();
    const again = await api('GET', `/api/articles/${slug}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    expect(again.headers.get('etag')).toBe(etag);
    expect(reads).toHaveBeenCalledTimes(0);

    await api('PUT', `/api/articles/${slug}`, { token: author.token, body: { article: { body: 'New' } } });
    const changed = await api('GET', `/api/articles/${slug}`, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  test("a signed-in viewer's 304 covers their flags: favoriting changes the tag", async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const { slug } = await createArticle(author);
    const before = await api('GET', `/api/articles/${slug}`, { token: reader.token });
    const etag = before.headers.get('etag') ?? '';
    const same = await api('GET', `/api/articles/${slug}`, { token: reader.token, headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    await api('POST', `/api/articles/${slug}/favorite`, { token: reader.token });
    const after = await api('GET', `/api/articles/${slug}`, {
      token: reader.token,
      headers: { 'if-none-match': etag },
    });
    expect(after.status).toBe(200);
    expect(after.body.article.favorited).toBe(true);
  });

  test('the list, the comments, the profile and the tags answer 304 the same way', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    for (const path of [
      `/api/articles?author=${author.username}`,
      `/api/articles/${slug}/comments`,
      `/api/profiles/${author.username}`,
      '/api/tags',
    ]) {
      const etag = (await api('GET', path)).headers.get('etag') ?? '';
      expect((await api('GET', path, { headers: { 'if-none-match': `"other", ${etag}` } })).status).toBe(304);
      expect((await api('GET', path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    }
  });
});

describe('conditional GETs of reads made afresh', () => {
  test('the feed: a private ETag of its content, 304 when the client has it, 200 once it changed', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    await send('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });
    await createArticle(author);
    const first = await send('GET', '/api/articles/feed', { token: reader.token });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toBe('Authorization');
    // The body is sent as read, not checked by the route's model on the way out: it must fit it exactly.
    expect(Value.Check(MultipleArticlesResponse, first.body)).toBe(true);
    expect(Value.Clean(MultipleArticlesResponse, structuredClone(first.body))).toEqual(first.body);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toStartWith('W/"');
    const again = await send('GET', '/api/articles/feed', { token: reader.token, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();

    await createArticle(author);
    const changed = await send('GET', '/api/articles/feed', {
      token: reader.token,
      headers: { 'if-none-match': etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  test('the signed-in user is never stored: it carries a new token each time', async () => {
    const user = await registerUser();
    const answer = await send('GET', '/api/user', { token: user.token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });
});

describe('announcements', () => {
  test('a message that cannot be read counts as "everything changed"', () => {
    expect(parseChange('{"kind":"articles","keys":["a"],"at":1}')).toEqual({
      change: { kind: 'articles', keys: ['a'], at: 1 },
    });
    expect(parseChange('not json').change.kind).toBe('all');
    expect(parseChange('{"kind":"other","keys":[],"at":1}').change.kind).toBe('all');
  });

  test('a batch goes as one message per kind; too many keys for one message, as "everything"', () => {
    const at = Date.now();
    const messages = messagesOf(
      [
        { kind: 'articles', keys: ['a', 'b'], at },
        { kind: 'articles', keys: ['b', 'c'], at: at + 1 },
        { kind: 'comments', keys: ['a'], at },
      ],
      'me',
    ).map(parseChange);
    expect(messages).toEqual([
      { change: { kind: 'articles', keys: ['a', 'b', 'c'], at }, from: 'me' },
      { change: { kind: 'comments', keys: ['a'], at }, from: 'me' },
    ]);
    const many = Array.from({ length: 2000 }, (_, i) => `article-${i}`);
    expect(messagesOf([{ kind: 'articles', keys: many, at }], 'me').map((m) => parseChange(m).change.kind)).toEqual([
      'all',
    ]);
  });
});

describe('CACHE=off', () => {
  test('every read goes to the database, with the same bodies and ETags', async () => {
    const settings = testSettings(process.env, { CACHE: 'off' });
    // The suite's repositories (whose reads are watched), under a cache that is off.
    const readCache = createReadCache(settings, database);
    const services = createServices(settings, repositories, readCache.cache);
    const off = await createApp(settings, database, { repositories, readCache, services });
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const get = (app: { handle(request: Request): Promise<Response> }) =>
      app.handle(new Request(`http://localhost/api/articles/${slug}`));
    const on = await get((await testApp()).app);
    const reads = watchArticleReads();
    const [first, second] = [await get(off), await get(off)];
    expect(reads).toHaveBeenCalledTimes(2);
    expect(await first.text()).toBe(await on.text());
    expect(second.headers.get('etag')).toBe(on.headers.get('etag'));
  });
});
