import { describe, expect, test } from 'bun:test';
import { api, createArticle, ISO_UTC, registerUser, uniqueName } from '../test/api';

async function comment(slug: string, token: string, body = 'Thank you so much!') {
  return api('POST', `/api/articles/${slug}/comments`, { token, body: { comment: { body } } });
}

describe('POST /api/articles/:slug/comments', () => {
  test('adds the comment and returns it with its author', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);

    const response = await comment(article.slug, reader.token);

    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      comment: {
        id: expect.any(Number),
        body: 'Thank you so much!',
        createdAt: expect.stringMatching(ISO_UTC),
        updatedAt: expect.stringMatching(ISO_UTC),
        author: { username: reader.username, bio: null, image: null, following: false },
      },
    });
  });

  test('401 without a token, 404 for an unknown article, 422 for a blank or missing body', async () => {
    const author = await registerUser();
    const article = await createArticle(author);

    expect(
      (await api('POST', `/api/articles/${article.slug}/comments`, { body: { comment: { body: 'x' } } })).status,
    ).toBe(401);
    expect((await comment(uniqueName('nope-'), author.token)).status).toBe(404);
    const blank = await comment(article.slug, author.token, '  ');
    expect(blank.status).toBe(422);
    expect(blank.body).toEqual({ errors: { body: ["can't be blank"] } });
    const missing = await api('POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: {} },
    });
    expect(missing.status).toBe(422);
    const tooLong = await comment(article.slug, author.token, 'x'.repeat(10_001));
    expect(tooLong.body).toEqual({ errors: { body: ['is too long (maximum is 10000 characters)'] } });
  });
});

describe('GET /api/articles/:slug/comments', () => {
  test('lists the comments newest first, with following computed for the viewer', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const first = (await comment(article.slug, author.token, 'first')).body.comment;
    const second = (await comment(article.slug, reader.token, 'second')).body.comment;
    await api('POST', `/api/profiles/${author.username}/follow`, { token: reader.token });

    const anonymous = await api('GET', `/api/articles/${article.slug}/comments`);
    const asReader = await api('GET', `/api/articles/${article.slug}/comments`, { token: reader.token });

    expect(anonymous.status).toBe(200);
    expect(anonymous.body.comments.map((c: { id: number }) => c.id)).toEqual([second.id, first.id]);
    expect(anonymous.body.comments[1]).toEqual(first);
    expect(asReader.body.comments[1].author.following).toBe(true);
    expect(asReader.body.comments[0].author.following).toBe(false);
  });

  test('an article without comments has an empty list; an unknown one is a 404', async () => {
    const author = await registerUser();
    const article = await createArticle(author);

    expect((await api('GET', `/api/articles/${article.slug}/comments`)).body).toEqual({ comments: [] });
    const unknown = await api('GET', `/api/articles/${uniqueName('nope-')}/comments`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ errors: { article: ['not found'] } });
  });
});

describe('DELETE /api/articles/:slug/comments/:id', () => {
  test('the comment author deletes it (204) and it is gone', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const created = (await comment(article.slug, reader.token)).body.comment;

    const response = await api('DELETE', `/api/articles/${article.slug}/comments/${created.id}`, {
      token: reader.token,
    });

    expect(response.status).toBe(204);
    expect((await api('GET', `/api/articles/${article.slug}/comments`)).body.comments).toEqual([]);
  });

  test('anyone else gets 403 and the comment stays, the article author included', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const created = (await comment(article.slug, reader.token)).body.comment;

    const response = await api('DELETE', `/api/articles/${article.slug}/comments/${created.id}`, {
      token: author.token,
    });

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ errors: { comment: ['forbidden'] } });
    expect((await api('GET', `/api/articles/${article.slug}/comments`)).body.comments).toHaveLength(1);
  });

  test('404 for an unknown comment, a comment of another article, an odd id or an unknown article', async () => {
    const author = await registerUser();
    const [article, other] = await Promise.all([createArticle(author), createArticle(author)]);
    const onOther = (await comment(other.slug, author.token)).body.comment;

    for (const path of [
      `/api/articles/${article.slug}/comments/2147483000`,
      `/api/articles/${article.slug}/comments/${onOther.id}`,
      `/api/articles/${article.slug}/comments/abc`,
      `/api/articles/${article.slug}/comments/-1`,
      `/api/articles/${article.slug}/comments/99999999999999999999`,
      `/api/articles/${uniqueName('nope-')}/comments/${onOther.id}`,
    ]) {
      const response = await api('DELETE', path, { token: author.token });
      expect(response.status).toBe(404);
      expect(response.body.errors).toBeDefined();
    }
    expect((await api('GET', `/api/articles/${other.slug}/comments`)).body.comments).toHaveLength(1);
  });

  test('401 without a token', async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const created = (await comment(article.slug, author.token)).body.comment;

    expect((await api('DELETE', `/api/articles/${article.slug}/comments/${created.id}`)).status).toBe(401);
  });
});
