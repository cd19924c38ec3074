import { afterEach, describe, expect, setSystemTime, test } from 'bun:test';
import { Elysia } from 'elysia';
import { httpPolicy } from './http';
import { clientAddress, MinuteBudget, perAccountRateLimit, perClientRateLimit } from './rate-limit';

const TOO_MANY = { errors: { requests: ['too many attempts, retry later'] } };

describe('perClientRateLimit', () => {
  const request = () => new Request('http://localhost/limited', { method: 'POST' });

  test('lets `perMinute` requests through, then answers 429 with Retry-After and an errors body', async () => {
    const app = new Elysia()
      .use(httpPolicy({ production: false }))
      .use(perClientRateLimit(new MinuteBudget(3), 0))
      .post('/limited', () => ({ ok: true }));

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.handle(request())).status);
    const refused = await app.handle(request());

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual(TOO_MANY);
  });

  test("the 429 is JSON like every other answer, with Retry-After the seconds left in the address's minute", async () => {
    const start = new Date('2030-01-01T00:00:00Z').getTime();
    setSystemTime(start);
    try {
      const app = new Elysia()
        .use(httpPolicy({ production: false }))
        .use(perClientRateLimit(new MinuteBudget(1), 0))
        .post('/limited', () => ({ ok: true }));
      await app.handle(request());

      setSystemTime(start + 45_000);
      const refused = await app.handle(request());

      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toBe('application/json;charset=utf-8');
      expect(refused.headers.get('retry-after')).toBe('15');
      expect(refused.headers.get('ratelimit-limit')).toBe('1');
    } finally {
      setSystemTime();
    }
  });

  test('what else spends from the same budget counts against the same addresses', async () => {
    const budget = new MinuteBudget(3);
    const app = new Elysia().use(perClientRateLimit(budget, 0)).post('/limited', () => ({ ok: true }));

    // Two password changes from the address the plugin sees (no server in app.handle: "unknown").
    expect(await budget.spend('unknown')).toBeUndefined();
    expect(await budget.spend('unknown')).toBeUndefined();

    expect((await app.handle(request())).status).toBe(200);
    expect((await app.handle(request())).status).toBe(429);
  });

  test('0 turns the limit off', async () => {
    const app = new Elysia().use(perClientRateLimit(new MinuteBudget(0), 0)).post('/limited', () => ({ ok: true }));

    for (let i = 0; i < 50; i++) expect((await app.handle(request())).status).toBe(200);
  });
});

describe('perAccountRateLimit', () => {
  /** Stands in for the auth macro: the account is whatever `X-Account` says. */
  const fakeAuth = new Elysia().macro({
    auth: { resolve: ({ headers }) => ({ currentUserId: Number(headers['x-account']) }) },
  });
  const appWith = (budget: MinuteBudget) =>
    new Elysia()
      .use(httpPolicy({ production: false }))
      .use(fakeAuth)
      .use(perAccountRateLimit(budget))
      .post('/writes', () => ({ ok: true }), { auth: true, writeLimit: true })
      .get('/reads', () => ({ ok: true }), { auth: true });
  const as = (account: number, method = 'POST', path = '/writes') =>
    new Request(`http://localhost${path}`, { method, headers: { 'x-account': String(account) } });

  afterEach(() => setSystemTime());

  test("lets `perMinute` writes of an account through, then 429 with Retry-After; others' are unaffected", async () => {
    const app = appWith(new MinuteBudget(3));

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.handle(as(1))).status);
    const refused = await app.handle(as(1));
    const otherAccount = await app.handle(as(2));

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual(TOO_MANY);
    expect(otherAccount.status).toBe(200);
  });

  test('reads are neither counted nor refused', async () => {
    const app = appWith(new MinuteBudget(2));

    for (let i = 0; i < 10; i++) expect((await app.handle(as(1, 'GET', '/reads'))).status).toBe(200);
    expect([(await app.handle(as(1))).status, (await app.handle(as(1))).status]).toEqual([200, 200]);
    expect((await app.handle(as(1))).status).toBe(429);
    expect((await app.handle(as(1, 'GET', '/reads'))).status).toBe(200);
  });

  test('Retry-After is the seconds until the minute of the first write is over; then writes pass again', async () => {
    const start = new Date('2030-01-01T00:00:00Z').getTime();
    setSystemTime(start);
    const app = appWith(new MinuteBudget(1));
    await app.handle(as(1));

    setSystemTime(start + 45_000);
    const refused = await app.handle(as(1));
    setSystemTime(start + 60_000);
    const allowedAgain = await app.handle(as(1));

    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(allowedAgain.status).toBe(200);
  });

  test('0 turns the limit off', async () => {
    const app = appWith(new MinuteBudget(0));

    for (let i = 0; i < 50; i++) expect((await app.handle(as(1))).status).toBe(200);
  });
});

describe('MinuteBudget', () => {
  test('remembers a bounded number of keys: the least recently seen are forgotten first', async () => {
    const budget = new MinuteBudget(1);
    await budget.spend('first');
    for (let i = 0; i < 25_000; i++) await budget.spend(`account-${i}`);

    // "first" was forgotten, so it starts afresh; a key just seen was not.
    expect(await budget.spend('first')).toBeUndefined();
    expect(await budget.spend('account-24999')).toBeGreaterThan(0);
  });
});

describe('clientAddress', () => {
  const from = (forwardedFor?: string) =>
    new Request('http://localhost/', forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});

  test('with no trusted proxy, X-Forwarded-For is ignored', () => {
    expect(clientAddress(from('203.0.113.7'), null, 0)).toBe('unknown');
  });

  test('behind one proxy: the entry it appended (the last), whatever the client wrote before it', () => {
    expect(clientAddress(from('203.0.113.7'), null, 1)).toBe('203.0.113.7');
    expect(clientAddress(from('1.2.3.4, 5.6.7.8, 203.0.113.7'), null, 1)).toBe('203.0.113.7');
  });

  test('behind two proxies: the second entry from the end; too few entries: the socket, never a client-written one', () => {
    expect(clientAddress(from('forged, 203.0.113.7, 10.0.0.2'), null, 2)).toBe('203.0.113.7');
    expect(clientAddress(from('written-by-the-client'), null, 2)).toBe('unknown');
  });
});
