import { describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { httpPolicy } from './http';
import { clientAddress, perClientRateLimit } from './rate-limit';

describe('perClientRateLimit', () => {
  const request = () => new Request('http://localhost/limited', { method: 'POST' });

  test('lets `perMinute` requests through, then answers 429 with Retry-After and an errors body', async () => {
    const app = new Elysia()
      .use(httpPolicy)
      .use(perClientRateLimit(3))
      .post('/limited', () => ({ ok: true }));

    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await app.handle(request())).status);
    const refused = await app.handle(request());

    expect(statuses).toEqual([200, 200, 200]);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ errors: { requests: ['too many attempts, retry later'] } });
  });

  test('0 turns the limit off', async () => {
    const app = new Elysia().use(perClientRateLimit(0)).post('/limited', () => ({ ok: true }));

    for (let i = 0; i < 50; i++) expect((await app.handle(request())).status).toBe(200);
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
