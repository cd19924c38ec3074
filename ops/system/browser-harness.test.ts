/**
 * The pieces `test:browser` (ops/browser.ts) stands on, checked without a browser: the one-origin
 * server that serves a front end and forwards /api, and the reading of Playwright's JSON report that
 * decides what passed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'bun';
import { type AppServer, serveApp } from '../lib/app-server';
import { readReport } from '../lib/playwright-report';

const folder = mkdtempSync(join(tmpdir(), 'conduit-app-'));
let api: Server<undefined>;
let app: AppServer;

beforeAll(() => {
  mkdirSync(join(folder, 'app/assets'), { recursive: true });
  writeFileSync(join(folder, 'app/index.html'), '<app-root></app-root>');
  writeFileSync(join(folder, 'app/assets/logo.svg'), '<svg/>');
  writeFileSync(join(folder, 'secret.txt'), 'outside the app');
  // Stands in for the API: answers with what it received.
  api = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (request) =>
      Response.json(
        {
          method: request.method,
          url: new URL(request.url).pathname + new URL(request.url).search,
          authorization: request.headers.get('authorization'),
          body: await request.text(),
        },
        { status: 201, headers: { 'x-token-ignored': 'invalid' } },
      ),
  });
  app = serveApp(join(folder, 'app'), `http://127.0.0.1:${api.port}`);
});
afterAll(() => {
  app?.stop();
  api?.stop(true);
  rmSync(folder, { recursive: true, force: true });
});

describe('serveApp', () => {
  test('serves the files, and index.html for any other path (the app routes in the browser)', async () => {
    expect(await (await fetch(`${app.origin}/assets/logo.svg`)).text()).toBe('<svg/>');
    for (const path of ['/', '/article/some-slug', '/profile/johndoe/favorites', '/%E0%A4%A']) {
      const response = await fetch(`${app.origin}${path}`);
      expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([
        200,
        'text/html; charset=utf-8',
        '<app-root></app-root>',
      ]);
    }
  });

  test('never serves a file outside its folder', async () => {
    const response = await fetch(`${app.origin}/..%2fsecret.txt`);
    expect(await response.text()).toBe('<app-root></app-root>');
  });

  test('forwards /api with method, query, headers and body, and answers with the API’s status and headers', async () => {
    const response = await fetch(`${app.origin}/api/articles?tag=dragons`, {
      method: 'POST',
      headers: { authorization: 'Token abc', 'content-type': 'application/json' },
      body: '{"article":{}}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-token-ignored')).toBe('invalid');
    expect(await response.json()).toEqual({
      method: 'POST',
      url: '/api/articles?tag=dragons',
      authorization: 'Token abc',
      body: '{"article":{}}',
    });
  });
});

describe('readReport', () => {
  test('one outcome per test, titled file › describe › test, with the last error and every screenshot', async () => {
    const file = join(folder, 'report.json');
    const failedTry = (message: string, screenshot: string) => ({
      error: { message: `\u001b[31m${message}\u001b[39m\nmore lines` },
      attachments: [
        { name: 'screenshot', contentType: 'image/png', path: screenshot },
        { name: 'trace', contentType: 'application/zip', path: '/r/trace.zip' },
      ],
    });
    await Bun.write(
      file,
      JSON.stringify({
        suites: [
          {
            title: 'comments.spec.ts',
            specs: [{ title: 'top level', tests: [{ status: 'expected', results: [{}] }] }],
            suites: [
              {
                title: 'Comments',
                specs: [
                  {
                    title: 'should add',
                    tests: [{ status: 'flaky', results: [failedTry('late', '/r/1.png'), {}] }],
                  },
                  {
                    title: 'should delete',
                    tests: [
                      {
                        status: 'unexpected',
                        results: [failedTry('first', '/r/2.png'), failedTry('second', '/r/3.png')],
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
        errors: [{ message: 'Error: cannot load broken.spec.ts' }],
      }),
    );
    expect(await readReport(file)).toEqual([
      { title: 'comments.spec.ts › top level', status: 'expected', error: undefined, screenshots: [] },
      {
        title: 'comments.spec.ts › Comments › should add',
        status: 'flaky',
        error: undefined,
        screenshots: ['/r/1.png'],
      },
      {
        title: 'comments.spec.ts › Comments › should delete',
        status: 'unexpected',
        error: 'second',
        screenshots: ['/r/2.png', '/r/3.png'],
      },
      {
        title: 'outside any test',
        status: 'unexpected',
        error: 'Error: cannot load broken.spec.ts',
        screenshots: [],
      },
    ]);
  });
});
