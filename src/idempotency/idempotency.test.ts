/**
 * Idempotency-Key: retries get the first answer, what is refused, the key's scope, concurrency, and
 * what is kept for how long. Accounts and tokens: ./idempotency.accounts.test.ts.
 */
import { describe, expect, spyOn, test } from 'bun:test';
import { and, eq, sql } from 'drizzle-orm';
import { readConfig } from '../core/config';
import { api, createArticle, registerUser, type TestUser, uniqueName } from '../test/api';
import { testApp } from '../test/app';
import { users } from '../users/schema/users.schema';
import { idempotencyKeys } from './schema/idempotency-keys.schema';

const { db } = (await testApp()).database;

const newArticle = (title = uniqueName('Title ')) => ({ article: { title, description: 'd', body: 'b' } });

function withKey(user: TestUser, key: string, body?: unknown) {
  return { token: user.token, body, headers: { 'idempotency-key': key } };
}

async function articleCount(author: TestUser): Promise<number> {
  return (await api('GET', `/api/articles?author=${author.username}`)).body.articlesCount;
}

async function accountIdOf(user: TestUser): Promise<number> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.username, user.username));
  return row?.id ?? 0;
}

/** Makes the account's record of `key` as old as `seconds`, as if it had been claimed that long ago. */
async function age(user: TestUser, key: string, seconds: number) {
  const accountId = await accountIdOf(user);
  await db
    .update(idempotencyKeys)
    .set({ createdAt: sql`now() - make_interval(secs => ${seconds})` })
    .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key)));
}

describe('Idempotency-Key: the same request again gets the first answer', () => {
  test('a retried POST /api/articles creates one article and answers the first 201 again, marked as replayed', async () => {
    const author = await registerUser();
    const key = crypto.randomUUID();
    const request = withKey(author, key, newArticle());

    const first = await api('POST', '/api/articles', request);
    const retry = await api('POST', '/api/articles', request);

    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await articleCount(author)).toBe(1);
  });

  test('a retried comment is posted once', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);
    const request = withKey(author, 'comment-1', { comment: { body: 'First!' } });

    const first = await api('POST', `/api/articles/${slug}/comments`, request);
    const retry = await api('POST', `/api/articles/${slug}/comments`, request);

    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toEqual(first.body);
    expect((await api('GET', `/api/articles/${slug}/comments`)).body.comments).toHaveLength(1);
  });

  test('a retried DELETE answers its 204 again, not 404', async () => {
    const author = await registerUser();
    const { slug } = await createArticle(author);

    const first = await api('DELETE', `/api/articles/${slug}`, withKey(author, 'delete-1'));
    const retry = await api('DELETE', `/api/articles/${slug}`, withKey(author, 'delete-1'));

    expect([first.status, retry.status]).toEqual([204, 204]);
    expect(retry.body).toBeNull();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  test('a 4xx is an answer too: replayed, even once the request would now succeed', async () => {
    const follower = await registerUser();
    const username = uniqueName();

    const first = await api('POST', `/api/profiles/${username}/follow`, withKey(follower, 'follow-1'));
    await registerUser({ username });
    const retry = await api('POST', `/api/profiles/${username}/follow`, withKey(follower, 'follow-1'));

    expect(first.status).toBe(404);
    expect(retry.status).toBe(404);
    expect(retry.body).toEqual({ errors: { profile: ['not found'] } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('Idempotency-Key: what is refused', () => {
  test('the same key for a different request: 422, and nothing is done', async () => {
    const author = await registerUser();
    await api('POST', '/api/articles', withKey(author, 'k', newArticle()));

    const otherBody = await api('POST', '/api/articles', withKey(author, 'k', newArticle()));
    const otherPath = await api('DELETE', '/api/profiles/someone/follow', withKey(author, 'k'));

    for (const response of [otherBody, otherPath]) {
      expect(response.status).toBe(422);
      expect(response.body).toEqual({ errors: { 'Idempotency-Key': ['was used for a different request'] } });
    }
    expect(await articleCount(author)).toBe(1);
  });

  test('a key that is blank, longer than 255 characters or not printable ASCII: 400', async () => {
    const author = await registerUser();
    const cases: [string, string][] = [
      ['', "can't be blank"],
      ['k'.repeat(256), 'is too long (maximum is 255 characters)'],
      ['tab\there', 'must be printable ASCII characters'],
      ['café', 'must be printable ASCII characters'],
    ];

    for (const [key, message] of cases) {
      const response = await api('POST', '/api/articles', withKey(author, key, newArticle()));
      expect({ key, status: response.status, body: response.body }).toEqual({
        key,
        status: 400,
        body: { errors: { 'Idempotency-Key': [message] } },
      });
    }
    expect(await articleCount(author)).toBe(0);
    expect((await api('POST', '/api/articles', withKey(author, 'k'.repeat(255), newArticle()))).status).toBe(201);
  });
});

describe('Idempotency-Key: scope and concurrency', () => {
  test('two accounts may use the same key: each gets its own answer', async () => {
    const [alice, bob] = [await registerUser(), await registerUser()];

    const byAlice = await api('POST', '/api/articles', withKey(alice, 'shared', newArticle('Same title')));
    const byBob = await api('POST', '/api/articles', withKey(bob, 'shared', newArticle('Same title')));

    expect([byAlice.status, byBob.status]).toEqual([201, 201]);
    expect(byBob.headers.get('idempotent-replayed')).toBeNull();
    expect(byBob.body.article.author.username).toBe(bob.username);
    expect([await articleCount(alice), await articleCount(bob)]).toEqual([1, 1]);
  });

  test('concurrent requests with one key: exactly one does the work, the others replay it or answer 409', async () => {
    const author = await registerUser();
    const request = withKey(author, 'at-once', newArticle());

    const responses = await Promise.all(Array.from({ length: 6 }, () => api('POST', '/api/articles', request)));

    const done = responses.filter((r) => r.status === 201 && !r.headers.get('idempotent-replayed'));
    expect(done).toHaveLength(1);
    for (const response of responses) {
      if (response.status === 409) {
        expect(response.body).toEqual({
          errors: { 'Idempotency-Key': ['is in use by a request still in progress, retry shortly'] },
        });
        expect(response.headers.get('retry-after')).toBe('1');
      } else {
        expect(response.status).toBe(201);
        expect(response.body).toEqual(done[0]?.body);
      }
    }
    expect(await articleCount(author)).toBe(1);
  });
});

describe('Idempotency-Key: what is not kept, and for how long', () => {
  test('a 5xx is not kept: the retry does the work', async () => {
    const author = await registerUser();
    const request = withKey(author, 'flaky', newArticle());
    const failure = spyOn((await testApp()).services.articles, 'createArticle').mockRejectedValueOnce(
      new Error('the disk is on fire'),
    );

    const failed = await api('POST', '/api/articles', request);
    failure.mockRestore();
    const retry = await api('POST', '/api/articles', request);

    expect(failed.status).toBe(500);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await articleCount(author)).toBe(1);
  });

  test('a write cut off by a failover: its key, which the database was too far away to let go then, is let go once it is back', async () => {
    const author = await registerUser();
    const request = withKey(author, 'failover', newArticle());
    const away = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const { services, repositories } = await testApp();
    const work = spyOn(services.articles, 'createArticle').mockRejectedValueOnce(away());
    const release = spyOn(repositories.idempotency, 'releaseKey');
    release.mockRejectedValueOnce(away());

    const failed = await api('POST', '/api/articles', request);
    work.mockRestore();
    const meanwhile = await api('POST', '/api/articles', request);
    // Then the claim is let go: the next attempt finds the database back (readiness, not a sleep).
    const accountId = await accountIdOf(author);
    const held = () =>
      db
        .select()
        .from(idempotencyKeys)
        .where(and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, 'failover')));
    for (let waited = 0; (await held()).length > 0 && waited < 4000; waited += 50) await Bun.sleep(50);
    release.mockRestore();
    const retry = await api('POST', '/api/articles', request);

    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('2');
    expect(meanwhile.status).toBe(409);
    expect(retry.status).toBe(201);
    expect(await articleCount(author)).toBe(1);
  });

  test('a key is kept IDEMPOTENCY_KEY_HOURS (24 by default); after that it may be used again', async () => {
    const author = await registerUser();
    await api('POST', '/api/articles', withKey(author, 'yesterday', newArticle()));
    await age(author, 'yesterday', 24 * 3600 + 1);

    const reused = await api('POST', '/api/articles', withKey(author, 'yesterday', newArticle()));

    expect(readConfig({}).idempotencyKeyHours).toBe(24);
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(await articleCount(author)).toBe(2);
  });

  test('a claim left unanswered (its process died) holds the key a minute at most', async () => {
    const author = await registerUser();
    const request = withKey(author, 'orphan', newArticle());
    await api('POST', '/api/articles', request);
    // As if the process had died after the work, before keeping the answer.
    await db
      .update(idempotencyKeys)
      .set({ status: null, reply: null })
      .where(eq(idempotencyKeys.accountId, await accountIdOf(author)));

    const meanwhile = await api('POST', '/api/articles', request);
    await age(author, 'orphan', 61);
    const later = await api('POST', '/api/articles', request);

    expect(meanwhile.status).toBe(409);
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(await articleCount(author)).toBe(2);
  });
});
