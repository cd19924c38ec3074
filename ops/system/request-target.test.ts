/**
 * Request targets as a client sends them on the wire, which fetch() and browsers never do: they
 * resolve `..` and read `\` as `/` before sending. Bun's server resolves them too before the app
 * sees the URL (src/core/routes.ts), so only a real server and a raw socket can show that a `.` or
 * `..` segment (any spelling) or a backslash reaches no route, whatever it resolves to.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { testApp } from '../../src/test/app';
import { type RunningServer, startServer } from '../lib/server';

const TOKEN = 'a-metrics-token-for-this-test';
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ NODE_ENV: 'production', JWT_SECRET: 'd'.repeat(40), METRICS_TOKEN: TOKEN });
});
afterAll(() => server?.stop());

/** Sends one request with its target exactly as given; resolves with the status and the body. */
function send(target: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      ),
    );
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    });
  });
}

const NOT_FOUND = JSON.stringify({ errors: { route: ['not found'] } });

describe('a request target with dot segments or backslashes', () => {
  test.each([
    ['/api/%2e%2e/metrics'],
    ['/api/%2E%2e/metrics'],
    ['/api/.%2e/metrics'],
    ['/api/../metrics'],
    ['/api\\..\\metrics'],
    ['/api\\tags'],
    ['/api/tags/..'],
    ['/api/./tags'],
    ['/api/x/../tags'],
    ['/api/tags//..'],
    ['/api/articles/%2e%2e'],
    ['/api/articles/.'],
    ['/a/b/c/d/e/f/g/h/i/../../../../../../../../../metrics'],
    ['http://127.0.0.1/api/../metrics'],
  ])('GET %s answers 404 and reaches no route', async (target) => {
    expect(await send(target)).toEqual({ status: 404, body: NOT_FOUND });
  });

  test('whatever the method: a dotted path to the login route does not log in', async () => {
    expect(await send('/api/articles/%2e%2e/users/login', 'POST')).toEqual({ status: 404, body: NOT_FOUND });
  });
});

describe('the same routes, spelled plainly', () => {
  test('answer as always', async () => {
    expect((await send('/metrics')).status).toBe(200);
    expect(await send('/api/tags')).toEqual({ status: 200, body: '{"tags":[]}' });
    expect(await send('/api/tags/')).toEqual({ status: 200, body: '{"tags":[]}' });
    // Dots in the query, or inside a segment, are not dot segments.
    expect((await send('/api/tags?next=/../..')).status).toBe(200);
    expect(await send('/api/profiles/no.such.user')).toEqual({
      status: 404,
      body: JSON.stringify({ errors: { profile: ['not found'] } }),
    });
    expect((await send('/')).status).toBe(302);
    expect((await send('/', 'POST')).status).toBe(405);
  });

  test('every route of the app is shallower than the depth the check covers', async () => {
    const { app } = await testApp();
    const { DEEPEST } = await import('../../src/core/routes');
    const depths = app.routes.map((route) => route.path.split('/').filter(Boolean).length);

    expect(Math.max(...depths)).toBeLessThan(DEEPEST);
  });
});
