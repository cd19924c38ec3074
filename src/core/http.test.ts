import { describe, expect, test } from 'bun:test';
import { api } from '../test/api';

describe('errors outside any route', () => {
  test('an unknown route gets a JSON 404', async () => {
    const response = await api('GET', '/api/no-such-thing');

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toStartWith('application/json');
    expect(response.body).toEqual({ errors: { route: ['not found'] } });
  });

  test('a known path with an unknown method gets a JSON 404', async () => {
    const response = await api('DELETE', '/api/users');

    expect(response.status).toBe(404);
    expect(response.body.errors).toBeDefined();
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
