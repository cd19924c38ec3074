import { describe, expect, test } from 'bun:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import scalarPackage from '../../node_modules/@scalar/api-reference/package.json';
import { api } from '../test/api';
import { testApp } from '../test/app';
import { renderDocsPage } from './docs-page';

/**
 * The operations of RealWorld spec 2.0.0 (its openapi.yml, stated here so that the suite runs on a
 * plain clone): method, path, success status, and the error statuses this API answers. Those are the
 * contract's, but for two deliberate differences: routes where a token is optional never answer 401
 * (an unusable token is served as anonymous), and 422 is listed only where there is input to refuse.
 * PUT /api/user also answers 409 for a taken email or username, as registration does.
 */
const CONTRACT: [method: string, path: string, success: number, errors: number[]][] = [
  ['post', '/api/users/login', 200, [401, 422]],
  ['post', '/api/users', 201, [409, 422]],
  ['get', '/api/user', 200, [401]],
  ['put', '/api/user', 200, [401, 409, 422]],
  ['get', '/api/profiles/{username}', 200, [404]],
  ['post', '/api/profiles/{username}/follow', 200, [401, 404, 422]],
  ['delete', '/api/profiles/{username}/follow', 200, [401, 404]],
  ['get', '/api/articles/feed', 200, [401, 422]],
  ['get', '/api/articles', 200, [422]],
  ['post', '/api/articles', 201, [401, 422]],
  ['get', '/api/articles/{slug}', 200, [404]],
  ['put', '/api/articles/{slug}', 200, [401, 403, 404, 422]],
  ['delete', '/api/articles/{slug}', 204, [401, 403, 404]],
  ['get', '/api/articles/{slug}/comments', 200, [404, 422]],
  ['post', '/api/articles/{slug}/comments', 201, [401, 404, 422]],
  ['delete', '/api/articles/{slug}/comments/{id}', 204, [401, 403, 404]],
  ['post', '/api/articles/{slug}/favorite', 200, [401, 404]],
  ['delete', '/api/articles/{slug}/favorite', 200, [401, 404]],
  ['get', '/api/tags', 200, []],
];

const scalarVersion = scalarPackage.version;

type Responses = Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
type Operations = Record<string, Record<string, { responses: Responses; summary?: string; tags?: string[] }>>;

describe('API documentation', () => {
  test('GET / redirects to the interactive docs at /docs', async () => {
    const root = await api('GET', '/');
    const page = await fetchText('/docs');

    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>Conduit API</title>');
    expect((await api('GET', '/docs/json')).headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  test('the page runs only scripts of its own origin, under a CSP that allows just those', async () => {
    const page = await fetchText('/docs');
    const policy = directives(page.headers.get('content-security-policy') ?? '');
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([^<]*)<\/script>/g)];
    const sources = scripts.flatMap(([, attributes]) => /\ssrc="([^"]+)"/.exec(attributes ?? '')?.[1] ?? []);

    expect(policy['default-src']).toEqual(["'none'"]);
    expect(policy['script-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
    // One viewer script, by path (same origin); the other script element is inert data, never run.
    expect(sources).toEqual([expect.stringMatching(/^\/docs\/scalar\.js\?v=\w+$/)]);
    for (const [, attributes, content] of scripts) {
      if (!attributes?.includes(' src=')) {
        expect(attributes).toContain('type="application/json"');
        expect(content).toBe('');
      }
    }
    // No other origin anywhere in the page: no CDN, no font server.
    expect(page.text).not.toMatch(/https?:\/\/|\/\/[a-z]/i);
  });

  test('the viewer script is served from the installed package, as JavaScript, cacheable for good', async () => {
    const page = await fetchText('/docs');
    const source = /<script src="([^"]+)"/.exec(page.text)?.[1] ?? 'none';
    const script = await fetchText(source);

    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('vary')).toBeNull();
    expect(script.text).toContain(`@scalar/api-reference@${scalarVersion}`);
  });

  test('the page title and description are HTML-escaped', async () => {
    const page = await renderDocsPage({
      title: '</title><script>alert(1)</script>',
      description: 'A "quoted" <b>bold</b> & \'single\' description',
    });

    expect(page).toContain('<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>');
    expect(page).toContain('content="A &quot;quoted&quot; &lt;b&gt;bold&lt;/b&gt; &amp; &#39;single&#39; description"');
    expect(page).not.toContain('alert(1)</script>');
    // The served page: the real description has double quotes.
    expect((await fetchText('/docs')).text).toContain('content="The RealWorld &quot;Conduit&quot; API');
  });

  test('/docs/json is a valid OpenAPI 3.1 document', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const result = await new Validator().validate(document);

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toStartWith('3.1');
    expect(document.components.securitySchemes.Token).toMatchObject({ type: 'apiKey', name: 'Authorization' });
  });

  test('documents every operation of RealWorld spec 2.0.0 with its success and error statuses', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const paths = document.paths as Operations;

    expect(CONTRACT).toHaveLength(19);
    for (const [method, path, success, errors] of CONTRACT) {
      const documented = Object.keys(paths[path]?.[method]?.responses ?? {});
      expect({ operation: `${method} ${path}`, statuses: documented.sort() }).toEqual({
        operation: `${method} ${path}`,
        statuses: [success, ...errors].map(String).sort(),
      });
    }
  });

  test('every error status is documented with the errors body and what it means', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const errorsBody = {
      type: 'object',
      required: ['errors'],
      properties: {
        // Any key, each an array of messages.
        errors: { type: 'object', patternProperties: { '^(.*)$': { type: 'array', items: { type: 'string' } } } },
      },
    };

    for (const methods of Object.values(document.paths as Operations)) {
      for (const { responses } of Object.values(methods)) {
        for (const [status, response] of Object.entries(responses)) {
          if (!status.startsWith('4')) continue;
          expect(response.content?.['application/json']?.schema).toMatchObject(errorsBody);
          expect(response.description).not.toStartWith('Response for status');
        }
      }
    }
    const conflict = document.paths['/api/users'].post.responses['409'].description;
    expect(conflict).toContain('has already been taken');
    expect(document.paths['/api/user'].get.responses['401'].description).toContain('is missing');
  });

  test("each feature's error answers name its own resources, and its tag is listed", async () => {
    const { body: document } = await api('GET', '/docs/json');
    const notFound = (path: string, method = 'get') => document.paths[path][method].responses['404'].description;

    expect(notFound('/api/profiles/{username}')).toContain('`{"profile": ["not found"]}`');
    expect(notFound('/api/articles/{slug}')).toContain('`{"article": ["not found"]}`');
    expect(notFound('/api/articles/{slug}/comments/{id}', 'delete')).toContain(
      '`{"article" | "comment": ["not found"]}`',
    );
    expect(document.paths['/api/articles/{slug}/comments/{id}'].delete.responses['403'].description).toContain(
      '`{"comment": ["forbidden"]}`',
    );
    expect(document.tags.map((tag: { name: string }) => tag.name)).toEqual([
      'Users',
      'Profiles',
      'Articles',
      'Favorites',
      'Comments',
      'Tags',
      'Operations',
    ]);
  });

  test('a delete answers 204 with no body', async () => {
    const { body: document } = await api('GET', '/docs/json');

    expect(document.paths['/api/articles/{slug}'].delete.responses['204'].content).toBeUndefined();
  });

  test('protected operations declare the Token scheme, and every operation has a summary and a tag', async () => {
    const { body: document } = await api('GET', '/docs/json');
    const feed = document.paths['/api/articles/feed'].get;

    expect(feed.security).toEqual([{ Token: [] }]);
    for (const methods of Object.values(document.paths as Operations)) {
      for (const operation of Object.values(methods)) {
        expect(operation.summary).toBeTruthy();
        expect(operation.tags?.length).toBeGreaterThan(0);
      }
    }
  });
});

async function fetchText(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const { app } = await testApp();
  const response = await app.handle(new Request(`http://localhost${path}`));
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A Content-Security-Policy header as its directives: name to sources. */
function directives(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...sources]) => [name ?? '', sources]),
  );
}
