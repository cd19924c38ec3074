import { describe, expect, test } from 'bun:test';
import { auth, createArticle, registerUser, testClient, uniqueName } from '../test/api';

const client = await testClient();

describe('POST and DELETE /api/articles/:slug/favorite', () => {
  test('favorite and unfavorite, idempotently, returning the article', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);
    const favorite = client.api.articles({ slug: created.slug }).favorite;

    const first = await favorite.post(undefined, auth(reader.token));
    const second = await favorite.post(undefined, auth(reader.token));
    expect(first.status).toBe(200);
    expect(second.data?.article).toMatchObject({ slug: created.slug, favorited: true, favoritesCount: 1 });

    const removed = await favorite.delete(undefined, auth(reader.token));
    const removedAgain = await favorite.delete(undefined, auth(reader.token));
    expect(removed.status).toBe(200);
    expect(removedAgain.data?.article).toMatchObject({ favorited: false, favoritesCount: 0 });
  });

  test('30 users favoriting at once leave an exact count of 30', async () => {
    const author = await registerUser();
    const created = await createArticle(author);
    const fans = await Promise.all(Array.from({ length: 30 }, () => registerUser()));

    const responses = await Promise.all(
      fans.map((fan) => client.api.articles({ slug: created.slug }).favorite.post(undefined, auth(fan.token))),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect((await client.api.articles({ slug: created.slug }).get()).data?.article.favoritesCount).toBe(30);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const reader = await registerUser();
    const unknown = client.api.articles({ slug: uniqueName('nope-') }).favorite;
    expect((await unknown.post()).status).toBe(401);
    expect((await unknown.post(undefined, auth(reader.token))).status).toBe(404);
    expect((await unknown.delete(undefined, auth(reader.token))).status).toBe(404);
  });
});
