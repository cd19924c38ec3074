/** GET /metrics: what an operator's Prometheus scrapes, through the app. */
import { describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../core/config';
import { ConfigError } from '../core/env';
import { api, createArticle, registerUser } from '../test/api';
import { testApp } from '../test/app';

async function scrape(): Promise<string> {
  // Elysia counts an answered request after sending it, on the next turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  const { app } = await testApp();
  const response = await app.handle(new Request('http://localhost/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one series, e.g. `conduit_http_requests_total{method="GET",route="/api/tags",status="200"}`. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics', () => {
  test('counts requests by method, route template and the status sent, never by raw path', async () => {
    const author = await registerUser();
    const article = await createArticle(author);
    const series = (status: number) =>
      `conduit_http_requests_total{method="GET",route="/api/articles/:slug",status="${status}"}`;
    const before = await scrape();

    await api('GET', `/api/articles/${article.slug}`);
    await api('GET', `/api/articles/${article.slug}`);
    await api('GET', '/api/articles/no-such-article');
    const after = await scrape();

    expect(value(after, series(200)) - value(before, series(200))).toBe(2);
    expect(value(after, series(404)) - value(before, series(404))).toBe(1);
    expect(after).not.toContain(article.slug);
    expect(after).toContain(
      'conduit_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/articles/:slug"',
    );
  });

  test('a create is counted as the 201 it was, like the request log says', async () => {
    const author = await registerUser();
    const series = 'conduit_http_requests_total{method="POST",route="/api/articles",status="201"}';
    const before = value(await scrape(), series);

    await createArticle(author);

    expect(value(await scrape(), series) - before).toBe(1);
  });

  test('database operations by repository name, the pool, and the process (CPU, heap, event-loop lag)', async () => {
    await api('GET', '/api/tags');
    const text = await scrape();

    expect(text).toMatch(/conduit_db_operation_duration_seconds_count\{operation="tags\.findPopularTags"\} [1-9]/);
    expect(text).toContain('conduit_db_pool_connections{state="in_use"}');
    expect(text).toContain('conduit_db_pool_connections{state="waiting"}');
    for (const name of [
      'conduit_process_cpu_seconds_total',
      'conduit_nodejs_heap_size_used_bytes',
      'conduit_nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  test('unmatched paths share one series', async () => {
    await api('GET', '/api/no/such/route/12345');

    expect(await scrape()).toContain('route="unmatched",status="404"');
  });
});

describe('who may scrape: METRICS_TOKEN', () => {
  const production = { NODE_ENV: 'production' };

  test('production without a token keeps metrics off (GET /metrics answers 404) and says why', () => {
    expect(readConfig(production).metrics).toEqual({ enabled: false, tokenMissing: true, token: undefined });
    // Turned off on purpose: nothing to warn about.
    expect(readConfig({ ...production, METRICS_ENABLED: 'false' }).metrics.tokenMissing).toBe(false);
  });

  test('production with a token serves them to bearers of it; development serves them to anyone', () => {
    expect(readConfig({ ...production, METRICS_TOKEN: 'a-long-scrape-token' }).metrics).toEqual({
      enabled: true,
      tokenMissing: false,
      token: 'a-long-scrape-token',
    });
    expect(readConfig({ NODE_ENV: 'development' }).metrics).toEqual({
      enabled: true,
      tokenMissing: false,
      token: undefined,
    });
  });

  test('METRICS_TOKEN_FILE names a file holding the token (as Docker secrets are passed)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-metrics-token-'));
    try {
      writeFileSync(join(dir, 'token'), 'from-a-file\n');
      writeFileSync(join(dir, 'empty'), '');
      const withFile = (file: string) => readConfig({ ...production, METRICS_TOKEN_FILE: join(dir, file) });

      expect(withFile('token').metrics.token).toBe('from-a-file');
      expect(() => withFile('empty')).toThrow(ConfigError);
      expect(() => withFile('missing')).toThrow('METRICS_TOKEN_FILE: cannot read');
      expect(() => readConfig({ METRICS_TOKEN: 'x', METRICS_TOKEN_FILE: join(dir, 'token') })).toThrow('not both');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
