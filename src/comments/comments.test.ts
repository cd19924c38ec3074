import { describe, expect, test } from 'bun:test';
import { auth, createArticle, errorsOf, ISO_UTC, ok, registerUser, send, testClient, uniqueName } from '../test/api';

const client = await testClient();

async function comment(slug: string, token: string, body = 'Thank you so much!') {
  return client.api.articles({ slug }).comments.post({ comment: { body } }, auth(token));
}

describe('POST /api/articles/:slug/comments', () => {
  test('adds the comment and returns it with its author', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);

    const response = await comment(article.slug, reader.token);

    expect(response.status).toBe(201);
    expect(response.data).toEqual({
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

    expect((await client.api.articles({ slug: article.slug }).comments.post({ comment: { body: 'x' } })).status).toBe(
      401,
    );
    expect((await comment(uniqueName('nope-'), author.token)).status).toBe(404);
    const blank = await comment(article.slug, author.token, '  ');
    expect(blank.status).toBe(422);
    expect(blank.error?.value).toEqual({ errors: { body: ["can't be blank"] } });
    const missing = await send('POST', `/api/articles/${article.slug}/comments`, {
      token: author.token,
      body: { comment: {} },
    });
    expect(missing.status).toBe(422);
    const tooLong = await comment(article.slug, author.token, 'x'.repeat(10_001));
    expect(tooLong.error?.value).toEqual({ errors: { body: ['is too long (maximum is 10000 characters)'] } });
  });
});

describe('GET /api/articles/:slug/comments', () => {
  test('lists the comments newest first, with following computed for the viewer', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const first = ok(await comment(article.slug, author.token, 'first')).comment;
    const second = ok(await comment(article.slug, reader.token, 'second')).comment;
    await client.api.profiles({ username: author.username }).follow.post(undefined, auth(reader.token));

    const anonymous = await client.api.articles({ slug: article.slug }).comments.get();
    const asReader = await client.api.articles({ slug: article.slug }).comments.get(auth(reader.token));

    expect(anonymous.status).toBe(200);
    expect(anonymous.data?.comments.map((c) => c.id)).toEqual([second.id, first.id]);
    expect(anonymous.data?.comments[1]).toEqual(first);
    expect(asReader.data?.comments[1]?.author.following).toBe(true);
    expect(asReader.data?.comments[0]?.author.following).toBe(false);
  });

  test('an article without comments has an empty list; an unknown one is a 404', async () => {
    const author = await registerUser();
    const article = await createArticle(author);

    expect((await client.api.articles({ slug: article.slug }).comments.get()).data).toEqual({ comments: [] });
    const unknown = await client.api.articles({ slug: uniqueName('nope-') }).comments.get();
    expect(unknown.status).toBe(404);
    expect(unknown.error?.value).toEqual({ errors: { article: ['not found'] } });
  });
});

describe('DELETE /api/articles/:slug/comments/:id', () => {
  test('the comment author deletes it (204) and it is gone', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const created = ok(await comment(article.slug, reader.token)).comment;

    const response = await client.api
      .articles({ slug: article.slug })
      .comments({ id: created.id })
      .delete(undefined, auth(reader.token));

    expect(response.status).toBe(204);
    expect((await client.api.articles({ slug: article.slug }).comments.get()).data?.comments).toEqual([]);
  });

  test('anyone else gets 403 and the comment stays, the article author included', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const article = await createArticle(author);
    const created = ok(await comment(article.slug, reader.token)).comment;

    const response = await client.api
      .articles({ slug: article.slug })
      .comments({ id: created.id })
      .delete(undefined, auth(author.token));

    expect(response.status).toBe(403);
    expect(response.error?.value).toEqual({ errors: { comment: ['forbidden'] } });
    expect((await client.api.articles({ slug: article.slug }).comments.get()).data?.comments).toHaveLength(1);
  });

  test('404 for an unknown comment, a comment of another article, an odd id or an unknown article', async () => {
    const author = await registerUser();
    const [article, other] = await Promise.all([createArticle(author), createArticle(author)]);
    const onOther = ok(await comment(other.slug, author.token)).comment;

    for (const path of [
      `/api/articles/${article.slug}/comments/2147483000`,
      `/api/articles/${article.slug}/comments/${onOther.id}`,
      `/api/articles/${article.slug}/comments/abc`,
      `/api/articles/${article.slug}/comments/-1`,
      `/api/articles/${article.slug}/comments/99999999999999999999`,
      `/api/articles/${uniqueName('nope-')}/comments/${onOther.id}`,
    ]) {
      const response = await send('DELETE', path, { token: author.token });
      expect(response.status).toBe(404);
      expect(errorsOf(response.body)).toBeDefined();
    }
    expect((await client.api.articles({ slug: other.slug }).comments.get()).data?.comments).toHaveLength(1);
  });

  test('401 without a token', async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const created = ok(await comment(article.slug, author.token)).comment;

    expect((await client.api.articles({ slug: article.slug }).comments({ id: created.id }).delete()).status).toBe(401);
  });
});
