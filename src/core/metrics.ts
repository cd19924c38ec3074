/**
 * Prometheus metrics with prom-client (the well-kept standard client): request counts and latency
 * by method, route template and status; database operations by repository name; database
 * connections in use, operations waiting for one and operations refused one (./pool-gate.ts); and
 * prom-client's default process metrics (CPU, heap, event-loop lag). `GET /metrics` serves them (src/health/health.controller.ts). Under WORKERS=N each scrape
 * reaches one worker, which asks the supervisor to gather every worker's metrics and sum them
 * (src/core/workers.ts), so one scrape describes the whole host.
 */
import { type Span, trace } from '@opentelemetry/api';
import { AggregatorRegistry, Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ReadFrom } from './connection';
import { type Kind, type Place, type PoolGate, type PoolGates, PoolRefusal, type PoolState } from './pool-gate';

/** The process's metrics: what a scrape of this process (any app it serves) reads. */
export const registry = new Registry();

let processMetricsOn = false;
/** Adds prom-client's process metrics (CPU, heap, event-loop lag) to the registry, once per process. */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'conduit_' });
}

/** The pools of the databases open in this process (one, but for tests that open several). */
const pools = new Set<() => PoolState>();

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
 * postgres.js does not report its pool's state; the gate in front of it (./pool-gate.ts) knows it:
 * connections busy with operations (a transaction's statements count once), and operations waiting,
 * at the gate or pipelined behind another on a busy connection.
 */
new Gauge({
  name: 'conduit_db_pool_connections',
  help: 'Database connections busy with operations, and operations waiting for one (from the pool gate)',
  labelNames: ['state'],
  registers: [registry],
  collect() {
    let [busy, waiting] = [0, 0];
    for (const state of pools) {
      const pool = state();
      busy += pool.busyConnections;
      waiting += pool.waiting;
    }
    this.set({ state: 'in_use' }, busy);
    this.set({ state: 'waiting' }, waiting);
  },
});
const refusals = new Counter({
  name: 'conduit_db_pool_refusals_total',
  help: 'Operations answered 503 after waiting DB_POOL_WAIT_MS: no connection free (full), or their kind held its share (share)',
  labelNames: ['cause'],
  registers: [registry],
});

/** Counts one answered request; the status is the one sent (the request log uses the same). */
export function recordRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  requests.inc(labels);
  requestDuration.observe(labels, seconds);
}

/**
 * One repository operation: holds its place at the pool gate until disposed, and measures its
 * duration by name and (when tracing is on) a child span of the request's span named after the
 * operation, never carrying the statement's parameters.
 */
class DbOperation implements Disposable, Place {
  readonly admittedAt = performance.now();
  older: Place | undefined;
  newer: Place | undefined;
  private readonly span: Span | undefined;

  constructor(
    private readonly gate: PoolGate,
    readonly kind: Kind,
    private readonly observe: Observe,
  ) {
    gate.admitted(this);
    // No span at all unless tracing is on (this runs for every operation). The tracer is looked up each
    // time: the tracing SDK registers itself after this module loads (through another copy of the API
    // module), and a tracer taken earlier would stay a no-op.
    if (observe.tracing) {
      this.span = trace
        .getTracer('conduit')
        .startSpan(`db ${kind.name}`, { attributes: { 'db.system': 'postgresql', 'db.operation.name': kind.name } });
    }
  }

  [Symbol.dispose](): void {
    const now = performance.now();
    this.gate.leave(this, now);
    this.span?.end();
    if (this.observe.metrics) operationDuration.observe({ operation: this.kind.name }, (now - this.admittedAt) / 1000);
  }
}

/** What a database's operations report: their durations and refusals (metrics), their spans (tracing). */
export interface Observe {
  metrics: boolean;
  tracing: boolean;
}

/**
 * What a database's repositories start each operation with, as `using _operation = await
 * admit('articles.findArticle', readFrom)` at the top of it, naming the database it runs on (no
 * default: the primary for every write and every read that must see the latest write, else the
 * replicas): waits for a connection at the pool gate, at most DB_POOL_WAIT_MS (then throws a
 * PoolRefusal: 503), and holds it until the function returns. No promise when a connection is free at
 * once (the usual case: every query pays this). Its pool's state shows in the metrics until `forget`.
 */
export function operationAdmission(gates: PoolGates, observe: Observe) {
  const state = () => gates.state();
  pools.add(state);
  const refused = (error: unknown): never => {
    if (error instanceof PoolRefusal && error.reason !== 'closed' && observe.metrics)
      refusals.inc({ cause: error.reason });
    throw error;
  };
  return {
    admit(name: string, readFrom: ReadFrom): DbOperation | Promise<DbOperation> {
      const gate = gates.gateFor(readFrom);
      const kind = gate.kind(name);
      if (gate.tryEnter(kind)) return new DbOperation(gate, kind, observe);
      return gate.enter(kind).then(() => new DbOperation(gate, kind, observe), refused);
    },
    forget: () => pools.delete(state),
  };
}

export type Admit = ReturnType<typeof operationAdmission>['admit'];

export type MetricsJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** This process's metrics as JSON, for the supervisor to sum across workers. */
export function metricsAsJson(): Promise<MetricsJson> {
  return registry.getMetricsAsJSON();
}

/** Several processes' metrics, summed per series (prom-client's cluster aggregation), as Prometheus text. */
export function aggregateMetrics(perProcess: MetricsJson[]): Promise<string> {
  return AggregatorRegistry.aggregate(perProcess).metrics();
}

/** The read caches of this process (./read-cache.ts): their size, for the gauges below. */
const caches = new Set<() => { bytes: number; entries: number }>();

/** The read cache's counters; under WORKERS=N a scrape sums every worker's. */
export const cacheMetrics = {
  lookups: new Counter({
    name: 'conduit_cache_lookups_total',
    help: 'Reads of an answer the cache may keep, by result: hit (served from memory) or miss (read from the database)',
    labelNames: ['result'],
    registers: [registry],
  }),
  evictions: new Counter({
    name: 'conduit_cache_evictions_total',
    help: 'Answers dropped to stay within CACHE_MAX_MB (not those a change dropped)',
    registers: [registry],
  }),
  changes: new Counter({
    name: 'conduit_cache_changes_total',
    help: 'Changes the database announced and the cache applied, by kind',
    labelNames: ['kind'],
    registers: [registry],
  }),
  delay: new Histogram({
    name: 'conduit_cache_change_delay_seconds',
    help: 'From the trigger that announced a change (inside its transaction, before the commit) to the cache applying it',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  }),
  /** Reports a cache's size in the gauges of every scrape. */
  watch(size: () => { bytes: number; entries: number }): void {
    caches.add(size);
  },
};

new Gauge({
  name: 'conduit_cache_size',
  help: 'What the read cache holds: bytes (as it counts them against CACHE_MAX_MB) and entries',
  labelNames: ['unit'],
  registers: [registry],
  collect() {
    let [bytes, entries] = [0, 0];
    for (const size of caches) {
      const now = size();
      bytes += now.bytes;
      entries += now.entries;
    }
    this.set({ unit: 'bytes' }, bytes);
    this.set({ unit: 'entries' }, entries);
  },
});
