import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';

describe('POST and DELETE /api/articles/:slug/favorite', () => {
  test('favorite and unfavorite, idempotently, returning the article', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);
    const path = `/api/articles/${created.slug}/favorite`;

    const first = await api('POST', path, { token: reader.token });
    const second = await api('POST', path, { token: reader.token });
    expect(first.status).toBe(200);
    expect(second.body.article).toMatchObject({ slug: created.slug, favorited: true, favoritesCount: 1 });

    const removed = await api('DELETE', path, { token: reader.token });
    const removedAgain = await api('DELETE', path, { token: reader.token });
    expect(removed.status).toBe(200);
    expect(removedAgain.body.article).toMatchObject({ favorited: false, favoritesCount: 0 });
  });

  test('30 users favoriting at once leave an exact count of 30', async () => {
    const author = await registerUser();
    const created = await createArticle(author);
    const fans = await Promise.all(Array.from({ length: 30 }, () => registerUser()));

    const responses = await Promise.all(
      fans.map((fan) => api('POST', `/api/articles/${created.slug}/favorite`, { token: fan.token })),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect((await api('GET', `/api/articles/${created.slug}`)).body.article.favoritesCount).toBe(30);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const reader = await registerUser();
    const unknown = `/api/articles/${uniqueName('nope-')}/favorite`;
    expect((await api('POST', unknown)).status).toBe(401);
    expect((await api('POST', unknown, { token: reader.token })).status).toBe(404);
    expect((await api('DELETE', unknown, { token: reader.token })).status).toBe(404);
  });
});
