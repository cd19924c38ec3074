import { describe, expect, test } from 'bun:test';
import { api } from '../test/api';

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
