import { describe, expect, test } from 'bun:test';
import { auth, createArticle, ok, registerUser, send, testClient, uniqueName } from '../test/api';
import type { ArticleChanges } from './articles.model';

const client = await testClient();

describe('PUT /api/articles/:slug', () => {
  test('the author updates some fields; the rest stays; updatedAt moves', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['keep'] });
    await Bun.sleep(5);

    const response = await client.api
      .articles({ slug: created.slug })
      .put({ article: { body: 'With two hands' } }, auth(author.token));

    expect(response.status).toBe(200);
    const { article } = ok(response);
    expect(article).toMatchObject({
      slug: created.slug,
      title: created.title,
      description: created.description,
      body: 'With two hands',
      tagList: ['keep'],
      createdAt: created.createdAt,
    });
    expect(Date.parse(article.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
  });

  test('a new title gives a new slug, and the old one is gone', async () => {
    const author = await registerUser();
    const created = await createArticle(author);
    const title = uniqueName('Brand new title ');

    const response = await client.api.articles({ slug: created.slug }).put({ article: { title } }, auth(author.token));

    expect(response.status).toBe(200);
    expect(response.data?.article.title).toBe(title);
    expect(response.data?.article.slug).toBe(title.toLowerCase().replaceAll(' ', '-'));
    expect((await client.api.articles({ slug: created.slug }).get()).status).toBe(404);
    expect((await client.api.articles({ slug: ok(response).article.slug }).get()).status).toBe(200);
  });

  test('a new title whose slug is taken gets a suffixed slug', async () => {
    const author = await registerUser();
    const first = await createArticle(author, { title: uniqueName('Taken ') });
    const second = await createArticle(author);

    const response = await client.api
      .articles({ slug: second.slug })
      .put({ article: { title: first.title } }, auth(author.token));

    expect(response.status).toBe(200);
    expect(response.data?.article.slug).toMatch(new RegExp(`^${first.slug}-[a-z0-9]{6}$`));
  });

  test('tagList replaces the tags', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['old', 'kept'] });

    const response = await client.api
      .articles({ slug: created.slug })
      .put({ article: { tagList: ['new', 'kept'] } }, auth(author.token));

    expect(response.data?.article.tagList).toEqual(['kept', 'new']);
  });

  test('tagList: left out keeps the tags, [] removes them all, null is refused', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['one', 'two'] });
    const update = (article: ArticleChanges) =>
      client.api.articles({ slug: created.slug }).put({ article }, auth(author.token));

    expect((await update({ body: 'new body' })).data?.article.tagList).toEqual(['one', 'two']);
    const refused = await send('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { tagList: null } },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ errors: { tagList: ['must be an array'] } });
    expect((await update({ tagList: [] })).data?.article.tagList).toEqual([]);
    expect((await client.api.articles({ slug: created.slug }).get()).data?.article.tagList).toEqual([]);
  });

  test('blank fields are refused: "can\'t be blank"', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    for (const field of ['title', 'description', 'body']) {
      const response = await client.api
        .articles({ slug: created.slug })
        .put({ article: { [field]: ' ' } }, auth(author.token));

      expect(response.status).toBe(422);
      expect(response.error?.value).toEqual({ errors: { [field]: ["can't be blank"] } });
    }
  });

  test('someone else gets 403 and the article does not change', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await client.api
      .articles({ slug: created.slug })
      .put({ article: { title: 'Hijacked', body: 'Hijacked' } }, auth(other.token));

    expect(response.status).toBe(403);
    expect(response.error?.value).toEqual({ errors: { article: ['forbidden'] } });
    const after = await client.api.articles({ slug: created.slug }).get();
    expect(after.data?.article).toMatchObject({ title: created.title, body: created.body });
  });

  test('401 without a token, 404 for an unknown slug, 422 for invalid fields', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    const anonymous = await client.api.articles({ slug: created.slug }).put({ article: { body: 'x' } });
    const unknown = await client.api
      .articles({ slug: uniqueName('nope-') })
      .put({ article: { body: 'x' } }, auth(author.token));
    const invalid = await client.api
      .articles({ slug: created.slug })
      .put({ article: { title: '' } }, auth(author.token));

    expect(anonymous.status).toBe(401);
    expect(unknown.status).toBe(404);
    expect(invalid.status).toBe(422);
    expect(invalid.error?.value).toEqual({ errors: { title: ["can't be blank"] } });
  });
});

describe('DELETE /api/articles/:slug', () => {
  test('someone else gets 403 and the article stays', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await client.api.articles({ slug: created.slug }).delete(undefined, auth(other.token));

    expect(response.status).toBe(403);
    expect((await client.api.articles({ slug: created.slug }).get()).status).toBe(200);
  });

  test('the author deletes it (204); its comments, favorites and tags go with it', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const tag = uniqueName('gone');
    const created = await createArticle(author, { tagList: [tag] });
    await client.api.articles({ slug: created.slug }).favorite.post(undefined, auth(reader.token));
    await client.api.articles({ slug: created.slug }).comments.post({ comment: { body: 'Nice' } }, auth(reader.token));

    const response = await send('DELETE', `/api/articles/${created.slug}`, { token: author.token });

    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect((await client.api.articles({ slug: created.slug }).get()).status).toBe(404);
    expect((await client.api.articles({ slug: created.slug }).comments.get()).status).toBe(404);
    expect((await client.api.articles.get({ query: { favorited: reader.username } })).data?.articlesCount).toBe(0);
    expect((await client.api.tags.get()).data?.tags).not.toContain(tag);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const author = await registerUser();
    expect((await client.api.articles({ slug: uniqueName('x-') }).delete()).status).toBe(401);
    expect((await client.api.articles({ slug: uniqueName('x-') }).delete(undefined, auth(author.token))).status).toBe(
      404,
    );
  });
});
