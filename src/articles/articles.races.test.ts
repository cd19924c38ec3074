/** Writers racing on one article: every loser gets a clean 4xx, never a 500. */
import { describe, expect, test } from 'bun:test';
import { api, createArticle, registerUser, uniqueName } from '../test/api';

describe('races between writers', () => {
  test('an update racing a delete of the same article: the update answers 200 or 404, never 500', async () => {
    const author = await registerUser();
    const statuses = new Set<number>();
    for (let round = 0; round < 15; round++) {
      const article = await createArticle(author);
      // Half the updates move the slug (a new title), half change the body in place.
      const change = round % 2 === 0 ? { title: uniqueName('Renamed ') } : { body: 'changed' };
      const [update, removal] = await Promise.all([
        api('PUT', `/api/articles/${article.slug}`, { token: author.token, body: { article: change } }),
        api('DELETE', `/api/articles/${article.slug}`, { token: author.token }),
      ]);

      expect([200, 404]).toContain(update.status);
      if (update.status === 404) expect(update.body).toEqual({ errors: { article: ['not found'] } });
      expect(removal.status).toBe(204);
      statuses.add(update.status);
    }
  });
});
