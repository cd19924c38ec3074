import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';

describe('GET /api/tags', () => {
  test('lists the tags in use, most used first', async () => {
    const author = await registerUser();
    const [rare, common, medium] = [uniqueName('rare'), uniqueName('common'), uniqueName('medium')];
    await createArticle(author, { tagList: [common, medium, rare] });
    await createArticle(author, { tagList: [common, medium] });
    await createArticle(author, { tagList: [common] });

    const response = await api('GET', '/api/tags');

    expect(response.status).toBe(200);
    const ours = response.body.tags.filter((tag: string) => [rare, common, medium].includes(tag));
    expect(ours).toEqual([common, medium, rare]);
  });

  test('a tag no article carries any more is not listed', async () => {
    const author = await registerUser();
    const tag = uniqueName('fleeting');
    const article = await createArticle(author, { tagList: [tag] });
    expect((await api('GET', '/api/tags')).body.tags).toContain(tag);

    await api('PUT', `/api/articles/${article.slug}`, { token: author.token, body: { article: { tagList: [] } } });

    expect((await api('GET', '/api/tags')).body.tags).not.toContain(tag);
  });
});
