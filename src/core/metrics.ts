/**
 * Prometheus metrics with prom-client (the well-kept standard client): request counts and latency
 * by method, route template and status; database operations by repository name; database
 * connections in use and waiting; and prom-client's default process metrics (CPU, heap, event-loop
 * lag). `GET /metrics` serves them (src/health/health.controller.ts). Under WORKERS=N each scrape
 * reaches one worker, which asks the supervisor to gather every worker's metrics and sum them
 * (src/core/workers.ts), so one scrape describes the whole host.
 */
import { trace } from '@opentelemetry/api';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { config } from './config';

export const registry = new Registry();
if (config.metrics.enabled) collectDefaultMetrics({ register: registry, prefix: 'conduit_' });

const httpLabels = ['method', 'route', 'status'] as const;
const requests = new Counter({
  name: 'conduit_http_requests_total',
  help: 'Requests answered, by method, route template and status sent',
  labelNames: httpLabels,
  registers: [registry],
});
const requestDuration = new Histogram({
  name: 'conduit_http_request_duration_seconds',
  help: 'Time from receiving a request to sending its answer, by method, route template and status',
  labelNames: httpLabels,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
const operationDuration = new Histogram({
  name: 'conduit_db_operation_duration_seconds',
  help: 'Time a repository operation spent on the database (one or a few statements), by operation',
  labelNames: ['operation'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [registry],
});

/*
 * postgres.js does not report its pool's state, so it is derived from the operations in flight: up
 * to DB_POOL_MAX of them hold a connection, the rest wait for one. (A transaction holds its
 * connection across its statements, which this counts as one operation: the figure is a floor.)
 */
let inFlight = 0;
new Gauge({
  name: 'conduit_db_pool_connections',
  help: 'Database connections in use, and operations waiting for one (derived from operations in flight)',
  labelNames: ['state'],
  registers: [registry],
  collect() {
    this.set({ state: 'in_use' }, Math.min(inFlight, config.database.poolMax));
    this.set({ state: 'waiting' }, Math.max(0, inFlight - config.database.poolMax));
  },
});

/** Counts one answered request; the status is the one sent (the request log uses the same). */
export function recordRequest(method: string, route: string, status: number, seconds: number): void {
  if (!config.metrics.enabled) return;
  const labels = { method, route, status: String(status) };
  requests.inc(labels);
  requestDuration.observe(labels, seconds);
}

/**
 * Measures one repository operation, as `using _ = dbOperation('articles.page')` at the top of it:
 * its duration by name, the pool gauge, and (when tracing is on) a child span of the request's span
 * named after the operation, never carrying the statement's parameters.
 */
export function dbOperation(name: string): Disposable {
  const startedAt = performance.now();
  // No span at all unless tracing is on (this runs for every operation). The tracer is looked up each
  // time: the tracing SDK registers itself after this module loads (through another copy of the API
  // module), and a tracer taken earlier would stay a no-op.
  const span = config.tracing.enabled
    ? trace
        .getTracer('conduit')
        .startSpan(`db ${name}`, { attributes: { 'db.system': 'postgresql', 'db.operation.name': name } })
    : undefined;
  inFlight++;
  return {
    [Symbol.dispose]() {
      inFlight--;
      span?.end();
      if (config.metrics.enabled)
        operationDuration.observe({ operation: name }, (performance.now() - startedAt) / 1000);
    },
  };
}

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** This process's metrics as JSON, for the supervisor to sum across workers. */
export function metricsAsJson(): Promise<MetricsJson> {
  return registry.getMetricsAsJSON();
}

/** Several processes' metrics, summed per series (prom-client's cluster aggregation), as Prometheus text. */
export function aggregateMetrics(perProcess: MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate(perProcess).metrics();
}
