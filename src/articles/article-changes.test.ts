import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';

describe('PUT /api/articles/:slug', () => {
  test('the author updates some fields; the rest stays; updatedAt moves', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['keep'] });
    await Bun.sleep(5);

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { body: 'With two hands' } },
    });

    expect(response.status).toBe(200);
    const { article } = response.body;
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

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { title } },
    });

    expect(response.status).toBe(200);
    expect(response.body.article.title).toBe(title);
    expect(response.body.article.slug).toBe(title.toLowerCase().replaceAll(' ', '-'));
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(404);
    expect((await api('GET', `/api/articles/${response.body.article.slug}`)).status).toBe(200);
  });

  test('a new title whose slug is taken gets a suffixed slug', async () => {
    const author = await registerUser();
    const first = await createArticle(author, { title: uniqueName('Taken ') });
    const second = await createArticle(author);

    const response = await api('PUT', `/api/articles/${second.slug}`, {
      token: author.token,
      body: { article: { title: first.title } },
    });

    expect(response.status).toBe(200);
    expect(response.body.article.slug).toMatch(new RegExp(`^${first.slug}-[a-z0-9]{6}$`));
  });

  test('tagList replaces the tags', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['old', 'kept'] });

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { tagList: ['new', 'kept'] } },
    });

    expect(response.body.article.tagList).toEqual(['kept', 'new']);
  });

  test('tagList: left out keeps the tags, [] removes them all, null is refused', async () => {
    const author = await registerUser();
    const created = await createArticle(author, { tagList: ['one', 'two'] });
    const update = (article: object) =>
      api('PUT', `/api/articles/${created.slug}`, { token: author.token, body: { article } });

    expect((await update({ body: 'new body' })).body.article.tagList).toEqual(['one', 'two']);
    const refused = await update({ tagList: null });
    expect(refused.status).toBe(422);
    expect(refused.body).toEqual({ errors: { tagList: ['must be an array'] } });
    expect((await update({ tagList: [] })).body.article.tagList).toEqual([]);
    expect((await api('GET', `/api/articles/${created.slug}`)).body.article.tagList).toEqual([]);
  });

  test('blank fields are refused: "can\'t be blank"', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    for (const field of ['title', 'description', 'body']) {
      const response = await api('PUT', `/api/articles/${created.slug}`, {
        token: author.token,
        body: { article: { [field]: ' ' } },
      });

      expect(response.status).toBe(422);
      expect(response.body).toEqual({ errors: { [field]: ["can't be blank"] } });
    }
  });

  test('someone else gets 403 and the article does not change', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await api('PUT', `/api/articles/${created.slug}`, {
      token: other.token,
      body: { article: { title: 'Hijacked', body: 'Hijacked' } },
    });

    expect(response.status).toBe(403);
    expect(response.body).toEqual({ errors: { article: ['forbidden'] } });
    const after = await api('GET', `/api/articles/${created.slug}`);
    expect(after.body.article).toMatchObject({ title: created.title, body: created.body });
  });

  test('401 without a token, 404 for an unknown slug, 422 for invalid fields', async () => {
    const author = await registerUser();
    const created = await createArticle(author);

    const anonymous = await api('PUT', `/api/articles/${created.slug}`, { body: { article: { body: 'x' } } });
    const unknown = await api('PUT', `/api/articles/${uniqueName('nope-')}`, {
      token: author.token,
      body: { article: { body: 'x' } },
    });
    const invalid = await api('PUT', `/api/articles/${created.slug}`, {
      token: author.token,
      body: { article: { title: '' } },
    });

    expect(anonymous.status).toBe(401);
    expect(unknown.status).toBe(404);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({ errors: { title: ["can't be blank"] } });
  });
});

describe('DELETE /api/articles/:slug', () => {
  test('someone else gets 403 and the article stays', async () => {
    const [author, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await createArticle(author);

    const response = await api('DELETE', `/api/articles/${created.slug}`, { token: other.token });

    expect(response.status).toBe(403);
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(200);
  });

  test('the author deletes it (204); its comments, favorites and tags go with it', async () => {
    const [author, reader] = await Promise.all([registerUser(), registerUser()]);
    const tag = uniqueName('gone');
    const created = await createArticle(author, { tagList: [tag] });
    await api('POST', `/api/articles/${created.slug}/favorite`, { token: reader.token });
    await api('POST', `/api/articles/${created.slug}/comments`, {
      token: reader.token,
      body: { comment: { body: 'Nice' } },
    });

    const response = await api('DELETE', `/api/articles/${created.slug}`, { token: author.token });

    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect((await api('GET', `/api/articles/${created.slug}`)).status).toBe(404);
    expect((await api('GET', `/api/articles/${created.slug}/comments`)).status).toBe(404);
    expect((await api('GET', `/api/articles?favorited=${reader.username}`)).body.articlesCount).toBe(0);
    expect((await api('GET', '/api/tags')).body.tags).not.toContain(tag);
  });

  test('401 without a token, 404 for an unknown slug', async () => {
    const author = await registerUser();
    expect((await api('DELETE', `/api/articles/${uniqueName('x-')}`)).status).toBe(401);
    expect((await api('DELETE', `/api/articles/${uniqueName('x-')}`, { token: author.token })).status).toBe(404);
  });
});
