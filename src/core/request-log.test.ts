import { describe, expect, test } from 'bun:test';
import { api } from '../test/api';
import { startServer } from '../test/server';

describe('request ids', () => {
  test('a sane X-Request-Id is echoed; a missing or odd one is replaced by a fresh id', async () => {
    const given = await api('GET', '/api/tags', { headers: { 'x-request-id': 'client-id_1.2:3' } });
    const missing = await api('GET', '/api/tags');
    const odd = await api('GET', '/api/tags', { headers: { 'x-request-id': 'has spaces and <html>' } });

    expect(given.headers.get('x-request-id')).toBe('client-id_1.2:3');
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('errors carry the request id too', async () => {
    const response = await api('GET', '/api/nowhere', { headers: { 'x-request-id': 'lost-123' } });

    expect(response.status).toBe(404);
    expect(response.headers.get('x-request-id')).toBe('lost-123');
  });
});

describe('the production log', () => {
  test('one JSON line per request with method, path, status, duration and id; no secrets; SQL without parameters', async () => {
    const server = await startServer(
      { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), LOG_LEVEL: 'info', DB_LOG: 'true' },
      { captureLog: true },
    );
    const password = 'a very secret password';
    const json = { 'content-type': 'application/json' };
    const user = { username: 'logged', email: 'logged@example.com', password };
    const registered = await fetch(`${server.origin}/api/users`, {
      method: 'POST',
      headers: { ...json, 'x-request-id': 'register-1' },
      body: JSON.stringify({ user }),
    });
    const { token } = ((await registered.json()) as { user: { token: string } }).user;
    await fetch(`${server.origin}/api/user?secret=in-the-query`, { headers: { authorization: `Token ${token}` } });
    await server.stop();
    const log = await server.log();

    const lines = log
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests).toContainEqual({
      level: 'info',
      time: expect.any(String),
      msg: 'request',
      requestId: 'register-1',
      method: 'POST',
      path: '/api/users',
      status: 201,
      durationMs: expect.any(Number),
    });
    expect(requests.find((line) => line.path === '/api/user')).toMatchObject({ method: 'GET', status: 200 });
    expect(lines.some((line) => line.msg === 'query' && /insert into "users"/.test(line.sql))).toBe(true);
    for (const secret of [password, token, 'in-the-query', '$argon2id', user.email]) expect(log).not.toContain(secret);
  });
});
