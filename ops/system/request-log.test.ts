/** The production log of a real server process: one JSON line per request, the status sent, no secrets. */
import { describe, expect, test } from 'bun:test';
import { startServer } from '../lib/server';

describe('the production log', () => {
  test('one JSON line per request with method, path, status, duration and id; no secrets; SQL without parameters', async () => {
    const server = await startServer(
      { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), LOG_LEVEL: 'info', DB_LOG: 'true', AUTH_RATE_LIMIT: '3' },
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
    const sent = new Map<string, number>();
    const send = async (id: string, method: string, path: string, body?: object, withToken = true) => {
      const headers = { ...json, 'x-request-id': id, ...(withToken && { authorization: `Token ${token}` }) };
      const response = await fetch(`${server.origin}${path}`, { method, headers, body: JSON.stringify(body) });
      sent.set(id, response.status);
    };
    await send('create', 'POST', '/api/articles', { article: { title: 'Logged', description: 'd', body: 'b' } });
    await send('comment', 'POST', '/api/articles/logged/comments', { comment: { body: 'hi' } });
    await send('invalid', 'POST', '/api/articles', { article: {} });
    await send('unknown', 'GET', '/api/articles/nope');
    await send('anonymous', 'GET', '/api/user', undefined, false);
    for (let i = 0; i < 3; i++)
      await send(
        `login-${i}`,
        'POST',
        '/api/users/login',
        { user: { email: 'x@y.z', password: 'wrong-password' } },
        false,
      );
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
    // The logged status is the one sent, whichever way the answer was made.
    expect([...sent.values()]).toEqual([201, 201, 422, 404, 401, 401, 401, 429]);
    for (const [id, status] of sent) expect(requests.find((line) => line.requestId === id)?.status).toBe(status);
    expect(lines.some((line) => line.msg === 'query' && /insert into "users"/.test(line.sql))).toBe(true);
    for (const secret of [password, token, 'in-the-query', '$argon2id', user.email]) expect(log).not.toContain(secret);
  });
});
