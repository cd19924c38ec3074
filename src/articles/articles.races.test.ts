/** Writers racing on one article: every loser gets a clean 4xx, never a 500. */
import { describe, expect, test } from 'bun:test';
import { auth, createArticle, registerUser, testClient, uniqueName } from '../test/api';

const client = await testClient();

describe('races between writers', () => {
  test('an update racing a delete of the same article: whichever loses answers 404, never 500', async () => {
    const author = await registerUser();
    for (let round = 0; round < 15; round++) {
      const article = await createArticle(author);
      // Half the updates move the slug (a new title), half change the body in place.
      const change = round % 2 === 0 ? { title: uniqueName('Renamed ') } : { body: 'changed' };
      const [update, removal] = await Promise.all([
        client.api.articles({ slug: article.slug }).put({ article: change }, auth(author.token)),
        client.api.articles({ slug: article.slug }).delete(undefined, auth(author.token)),
      ]);

      expect([200, 404]).toContain(update.status);
      if (update.status === 404) expect(update.error?.value).toEqual({ errors: { article: ['not found'] } });
      if (removal.status === 204) continue;
      // The other order: a rename moved the article before the delete looked for its old slug.
      expect(removal.status).toBe(404);
      expect(removal.error?.value).toEqual({ errors: { article: ['not found'] } });
      expect(update.status).toBe(200);
      expect(update.data?.article.slug).not.toBe(article.slug);
    }
  });
});
