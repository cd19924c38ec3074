/**
 * Metrics and traces of a real server process: the token on /metrics (required in production), one
 * scrape for all workers, OTLP spans.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../src/test/database';
import { freePort, startServer } from '../lib/server';

const json = { 'content-type': 'application/json' };

/** A JSON answer's status and body. */
async function answer(response: Promise<Response>): Promise<{ status: number; body: unknown }> {
  const received = await response;
  return { status: received.status, body: await received.json() };
}

/** The value of one series in Prometheus text. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('GET /metrics on the real server', () => {
  test('with METRICS_TOKEN set, only a request bearing it is answered', async () => {
    const server = await startServer({ METRICS_TOKEN: 'scrape-me-please' });
    try {
      const scrape = (authorization?: string) =>
        fetch(`${server.origin}/metrics`, { headers: authorization ? { authorization } : {} });

      const missing = { errors: { token: ['is missing'] } };
      const invalid = { errors: { token: ['invalid'] } };
      expect(await answer(scrape())).toEqual({ status: 401, body: missing });
      for (const credentials of ['Bearer wrong-token-of-length', 'Token scrape-me-please', 'scrape-me-please']) {
        expect(await answer(scrape(credentials))).toEqual({ status: 401, body: invalid });
      }
      const allowed = await scrape('Bearer scrape-me-please');
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toContain('# TYPE conduit_http_requests_total counter');
    } finally {
      await server.stop();
    }
  });

  const production = { NODE_ENV: 'production', JWT_SECRET: 'm'.repeat(40), LOG_LEVEL: 'info' };

  test('in production without a token, metrics are off for everyone, and the server says so at start', async () => {
    const server = await startServer(production, { captureLog: true });
    let scrape: Response;
    try {
      scrape = await fetch(`${server.origin}/metrics`);
    } finally {
      await server.stop();
    }

    expect(scrape.status).toBe(404);
    expect(await scrape.json()).toEqual({ errors: { route: ['not found'] } });
    const warnings = (await server.log())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string })
      .filter((line) => line.level === 'warn');
    expect(warnings.map((line) => line.msg)).toContainEqual(expect.stringContaining('METRICS_TOKEN is not set'));
  });

  test('in production, METRICS_TOKEN_FILE (as compose passes it) gives the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-metrics-'));
    writeFileSync(join(dir, 'metrics-token'), 'from-the-shared-volume');
    const server = await startServer({ ...production, METRICS_TOKEN_FILE: join(dir, 'metrics-token') });
    try {
      const scrape = (authorization?: string) =>
        fetch(`${server.origin}/metrics`, { headers: authorization ? { authorization } : {} });

      expect((await scrape()).status).toBe(401);
      expect((await scrape('Bearer from-the-shared-volume')).status).toBe(200);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const serverUrl = process.env.TEST_DATABASE_URL;
  let database: TestDatabase | undefined;
  afterAll(() => database?.drop());

  test.skipIf(!serverUrl)('under WORKERS=2, every scrape counts the requests of both workers', async () => {
    database = await createTestDatabase(serverUrl ?? '', 'conduit_metrics');
    const server = await startServer({ DATABASE_URL: database.url, WORKERS: '2' });
    try {
      // New connections each time, so that the kernel spreads them over both workers.
      const get = (path: string) => fetch(`${server.origin}${path}`, { headers: { connection: 'close' } });
      for (let i = 0; i < 40; i++) expect((await get('/api/tags')).status).toBe(200);

      const series = 'conduit_http_requests_total{method="GET",route="/api/tags",status="200"}';
      for (let scrape = 0; scrape < 6; scrape++) {
        const text = await (await get('/metrics')).text();
        expect(value(text, series)).toBe(40);
      }
    } finally {
      await server.stop();
    }
  });
});

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

describe('traces over OTLP', () => {
  test('a server span per request under the caller`s traceparent, database operations as its descendants, the trace id in the log', async () => {
    const spans: OtlpSpan[] = [];
    const receiver = Bun.serve({
      port: await freePort(),
      hostname: '127.0.0.1',
      async fetch(request) {
        const body = (await request.json()) as {
          resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const resource of body.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
        return Response.json({});
      },
    });
    const server = await startServer(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_SERVICE_NAME: 'conduit-test',
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
        JWT_SECRET: 't'.repeat(40),
      },
      { captureLog: true },
    );
    const traceId = crypto.randomUUID().replaceAll('-', '');
    const callerSpanId = traceId.slice(0, 16);
    try {
      const user = { username: 'traced', email: 'traced@example.com', password: 'password' };
      const registered = await fetch(`${server.origin}/api/users`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user }),
      });
      const { token } = ((await registered.json()) as { user: { token: string } }).user;
      const created = await fetch(`${server.origin}/api/articles`, {
        method: 'POST',
        headers: { ...json, authorization: `Token ${token}` },
        body: JSON.stringify({ article: { title: 'Traced', description: 'd', body: 'b' } }),
      });
      const { slug } = ((await created.json()) as { article: { slug: string } }).article;

      const read = await fetch(`${server.origin}/api/articles/${slug}`, {
        headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      });
      expect(read.status).toBe(200);

      const inTrace = () => spans.filter((span) => span.traceId === traceId);
      // Spans arrive in batches as they end; the request's own ends last.
      const complete = () =>
        inTrace().some((span) => span.parentSpanId === callerSpanId) &&
        inTrace().some((span) => span.name.startsWith('db '));
      for (let tries = 0; tries < 1200 && !complete(); tries++) await Bun.sleep(50);
      const trace = inTrace();
      const root = trace.find((span) => span.parentSpanId === callerSpanId);
      expect(root?.kind).toBe(2); // SERVER
      expect(root?.name).toBe('GET /api/articles/:slug');
      expect(root?.attributes?.find((a) => a.key === 'http.route')?.value.stringValue).toBe('/api/articles/:slug');

      const query = trace.find((span) => span.name === 'db articles.findArticle');
      expect(query).toBeDefined();
      // Its ancestry leads up to the request's span.
      const byId = new Map(trace.map((span) => [span.spanId, span]));
      let ancestor = query?.parentSpanId ? byId.get(query.parentSpanId) : undefined;
      while (ancestor && ancestor !== root)
        ancestor = ancestor.parentSpanId ? byId.get(ancestor.parentSpanId) : undefined;
      expect(ancestor).toBe(root);
      // Never the statement's parameters.
      expect(JSON.stringify(query)).not.toContain(slug);
    } finally {
      await server.stop();
      receiver.stop(true);
    }
    const lines = (await server.log())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.find((line) => line.msg === 'request' && line.traceId === traceId)).toMatchObject({
      method: 'GET',
      status: 200,
    });
  });
});
