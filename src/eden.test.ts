/** The exported app type drives a typed client (Eden Treaty): types and runtime must agree. */
import { describe, expect, test } from 'bun:test';
import { treaty } from '@elysiajs/eden';
import { uniqueName } from './test/api';
import { testApp } from './test/app';

const { app } = await testApp();

describe('Eden Treaty client', () => {
  test('register, create an article, and find it in the list, all typed', async () => {
    const client = treaty(app);
    const username = uniqueName('eden');

    const registered = await client.api.users.post({
      user: { username, email: `${username}@example.com`, password: 'password' },
    });
    expect(registered.status).toBe(201);
    const token = registered.data?.user.token ?? '';
    const headers = { authorization: `Token ${token}` };

    const created = await client.api.articles.post(
      {
        article: { title: 'Typed all the way', description: 'Eden', body: 'From types to runtime', tagList: ['eden'] },
      },
      { headers },
    );
    expect(created.status).toBe(201);
    const slug: string | undefined = created.data?.article.slug;

    const listed = await client.api.articles.get({ query: { author: username, limit: '5' } });
    expect(listed.status).toBe(200);
    expect(listed.data?.articlesCount).toBe(1);
    expect(listed.data?.articles[0]?.slug).toBe(slug as string);
    expect(listed.data?.articles[0]?.author.username).toBe(username);

    const read = await client.api.articles({ slug: slug as string }).get({ headers });
    expect(read.data?.article.body).toBe('From types to runtime');
  });
});
