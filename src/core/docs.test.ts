import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { api } from '../test/api';

const CONTRACT = resolve(import.meta.dir, '../../../shared/realworld/openapi.yml');

type Operations = Record<string, Record<string, { responses: Record<string, unknown> }>>;

/** "get /api/articles/{slug} 200" for every operation: method, path and lowest success status. */
function operations(paths: Operations, prefix = ''): string[] {
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
      .map(([method, operation]) => {
        const success = Object.keys(operation.responses)
          .filter((status) => status.startsWith('2'))
          .sort()[0];
        return `${method} ${prefix}${path} ${success}`;
      }),
  );
}

describe('API documentation', () => {
  test('GET / redirects to the interactive docs at /docs', async () => {
    const root = await api('GET', '/');
    const page = await fetchText('/docs');

    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs');
    expect(page.text).toContain('<html');
    // The API's "nothing allowed" policy would stop the page's viewer script from loading.
    expect(page.headers.get('content-security-policy')).toBeNull();
    expect((await api('GET', '/docs/json')).headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test('/docs/json is a valid OpenAPI 3.1 document', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const result = await new Validator().validate(document);

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toStartWith('3.1');
    expect(document.components.securitySchemes.Token).toMatchObject({ type: 'apiKey', name: 'Authorization' });
  });

  test('documents every operation of the RealWorld contract with its method, path and success status', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const contract = Bun.YAML.parse(await Bun.file(CONTRACT).text()) as { paths: Operations };

    const ours = new Set(operations(document.paths));
    const missing = operations(contract.paths, '/api').filter((operation) => !ours.has(operation));

    expect(operations(contract.paths)).toHaveLength(19);
    expect(missing).toEqual([]);
  });

  test('protected operations declare the Token scheme, and every operation has a summary and a tag', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const feed = document.paths['/api/articles/feed'].get;

    expect(feed.security).toEqual([{ Token: [] }]);
    for (const methods of Object.values(document.paths as Operations)) {
      for (const operation of Object.values(methods) as { summary?: string; tags?: string[] }[]) {
        expect(operation.summary).toBeTruthy();
        expect(operation.tags?.length).toBeGreaterThan(0);
      }
    }
  });
});

async function fetchText(path: string): Promise<{ text: string; headers: Headers }> {
  const { app } = await import('../app');
  const response = await app.handle(new Request(`http://localhost${path}`));
  return { text: await response.text(), headers: response.headers };
}
