import { describe, expect, test } from 'bun:test';
import { api } from '../test/api';

describe('errors outside any route', () => {
  test('an unknown route gets a JSON 404', async () => {
    const response = await api('GET', '/api/no-such-thing');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toStartWith('application/json');
    expect(response.body).toEqual({ errors: { route: ['not found'] } });
  });

  test.each([
    ['DELETE', '/api/users', 'POST, OPTIONS'],
    ['PATCH', '/api/articles', 'GET, POST, OPTIONS'],
    ['GET', '/api/articles/some-slug/favorite', 'POST, DELETE, OPTIONS'],
    ['POST', '/health', 'GET, OPTIONS'],
  ])('%s %s: 405 with Allow: %s and an errors body', async (method, path, allow) => {
    const response = await api(method, path);

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.body).toEqual({ errors: { method: [`${method} is not allowed here (allowed: ${allow})`] } });
  });
});

describe('operational endpoints', () => {
  test('GET /health answers while the process runs', async () => {
    const response = await api('GET', '/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  test('GET /ready answers 200 when the database does', async () => {
    const response = await api('GET', '/ready');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready' });
  });
});
