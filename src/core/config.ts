/**
 * Every setting the app reads from the environment, parsed and checked once, when an entry point
 * calls `loadSettings()`; the rest of the code is handed the result and never reads process.env. The database settings are read by ./db-settings.ts,
 * which the commands that only need the database (and drizzle.config.ts) use on their own; the
 * token settings (JWT_SECRET) by ./token-settings.ts, only where tokens are signed or read.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readDatabaseConfig } from './db-settings';
import { ConfigError, type Env, integer, loadOrExit, positiveInteger } from './env';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function logLevel(raw: string | undefined): (typeof LOG_LEVELS)[number] {
  const level = (raw || 'info').toLowerCase();
  const known = LOG_LEVELS.find((candidate) => candidate === level);
  if (!known) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return known;
}

/** "*" allows any origin; otherwise a comma-separated list of exact origins. */
function origins(raw: string | undefined): string[] | '*' {
  const list = (raw ?? '*')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  return list.length === 0 || list.includes('*') ? '*' : list;
}

/** WORKERS: a positive integer, or "auto" for one per CPU. */
function workerCount(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  if (raw === 'auto') return availableParallelism();
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`WORKERS must be a positive integer or "auto", got "${raw}"`);
  return value;
}

/**
 * TRUST_PROXY: "false" (default) or "0", "true" (one proxy), or the number of proxies in front that
 * each append the address they saw to X-Forwarded-For.
 */
function proxyHops(raw: string | undefined): number {
  const value = (raw ?? '').trim().toLowerCase();
  if (['', 'false', 'no', '0'].includes(value)) return 0;
  if (['true', 'yes'].includes(value)) return 1;
  const hops = Number(value);
  if (!Number.isInteger(hops) || hops < 1 || hops > 10) {
    throw new ConfigError(`TRUST_PROXY must be false, true or a number of proxies from 1 to 10, got "${raw}"`);
  }
  return hops;
}

/**
 * Metrics, and who may scrape them. With METRICS_TOKEN (or METRICS_TOKEN_FILE, a file holding it)
 * set, GET /metrics requires `Authorization: Bearer <token>`. Without one, development serves it
 * to anyone, but production turns metrics off (GET /metrics answers 404, as with
 * METRICS_ENABLED=false) and the server says so at start: the process's internals are never open
 * to the world by default.
 */
function metricsConfig(env: Env, production: boolean) {
  if (env.METRICS_TOKEN && env.METRICS_TOKEN_FILE) {
    throw new ConfigError('set METRICS_TOKEN or METRICS_TOKEN_FILE, not both');
  }
  const token = env.METRICS_TOKEN || fileContent(env.METRICS_TOKEN_FILE, 'METRICS_TOKEN_FILE');
  const wanted = !['false', '0', 'no'].includes((env.METRICS_ENABLED ?? '').toLowerCase());
  return {
    /** Whether request, database and process metrics are kept and served. */
    enabled: wanted && (token !== undefined || !production),
    /** Wanted, but off: production without a token (the server warns at start). */
    tokenMissing: wanted && token === undefined && production,
    token,
  };
}

/** The trimmed content of the file a `*_FILE` setting names (as Docker secrets are passed), if set. */
function fileContent(path: string | undefined, name: string): string | undefined {
  if (!path) return undefined;
  let content: string;
  try {
    content = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(`${name}: cannot read "${path}" (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (content === '') throw new ConfigError(`${name}: "${path}" is empty`);
  return content;
}

/**
 * The read cache (src/core/read-cache.ts): on unless CACHE=off. It learns of changes by LISTEN on a
 * session of its own, which PgBouncer in transaction mode cannot hold: there it needs
 * DATABASE_LISTEN_URL (the server itself, or a session-mode pool), else it stays off.
 */
function cacheConfig(env: Env, database: ReturnType<typeof readDatabaseConfig>) {
  const wanted = !['off', 'false', '0', 'no'].includes((env.CACHE ?? '').toLowerCase());
  const listenable = !database.pgbouncer || Boolean(database.listenUrl);
  return {
    enabled: wanted && listenable,
    /** Why it is off though wanted, for the start-up line. */
    offBecause: wanted && !listenable ? 'DB_PGBOUNCER is set without DATABASE_LISTEN_URL' : undefined,
    /** The memory its answers may take, in bytes (CACHE_MAX_MB, 64 by default). */
    maxBytes: positiveInteger(env, 'CACHE_MAX_MB', 64) * 1024 * 1024,
  } as const;
}

export function readConfig(env: Env) {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';

  const workers = workerCount(env.WORKERS);
  const database = readDatabaseConfig(env);
  if (database.replicaUrls.length > 0 && !database.url) {
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL: replicas serve reads for a primary.');
  }
  if (workers > 1 && !database.url) {
    throw new ConfigError('WORKERS above 1 needs DATABASE_URL: the embedded database belongs to a single process.');
  }

  const shutdownGraceMs = positiveInteger(env, 'SHUTDOWN_GRACE_MS', 10_000);
  const shutdownDrainMs = integer(env, 'SHUTDOWN_DRAIN_MS', 0, 0);
  if (shutdownDrainMs >= shutdownGraceMs) {
    throw new ConfigError(
      `SHUTDOWN_DRAIN_MS (${shutdownDrainMs}) must be less than SHUTDOWN_GRACE_MS (${shutdownGraceMs}): the drain is part of it`,
    );
  }

  const cache = cacheConfig(env, database);

  return {
    nodeEnv,
    production,
    /** Server processes sharing the port. */
    workers,
    /** Set by the supervisor in the processes it starts (src/core/workers.ts); not for operators. */
    workerId: env.CONDUIT_WORKER_ID || undefined,
    port: positiveInteger(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    /**
     * A shutdown (SIGTERM, SIGINT) ends within this: in-flight requests get all of it but the last
     * 2 s (half when shorter) to finish; then their database statements are cancelled (src/server.ts).
     */
    shutdownGraceMs,
    /**
     * The first part of a shutdown: GET /ready answers 503 while every request is still served, so that
     * a load balancer (or Kubernetes, whose endpoint removal races the SIGTERM) stops sending new ones
     * before the server stops listening. 0 (the default) stops listening at once.
     */
    shutdownDrainMs,
    /**
     * Requests that hash a password, per minute: registrations, logins and password changes per client
     * address (one budget), and password changes per account; 0 turns both limits off.
     */
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 30, 0),
    /** Writes (articles, comments, favorites, follows, user updates) per minute per account; 0 turns the limit off. */
    writeRateLimit: integer(env, 'WRITE_RATE_LIMIT', 60, 0),
    /** How long an `Idempotency-Key` and its first answer are kept, in hours (src/idempotency). */
    idempotencyKeyHours: positiveInteger(env, 'IDEMPOTENCY_KEY_HOURS', 24),
    /** Proxies in front that append to X-Forwarded-For (0: take the socket's peer address). */
    trustedProxies: proxyHops(env.TRUST_PROXY),
    corsOrigins: origins(env.CORS_ORIGINS),
    logLevel: logLevel(env.LOG_LEVEL),
    database,
    cache,
    metrics: metricsConfig(env, production),
    /**
     * Traces go out over OTLP when an exporter endpoint is configured with the standard variables
     * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true or
     * OTEL_TRACES_EXPORTER=none turn them off again). The OpenTelemetry SDK reads the rest itself.
     */
    tracing: {
      enabled:
        Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) &&
        env.OTEL_SDK_DISABLED !== 'true' &&
        env.OTEL_TRACES_EXPORTER !== 'none',
      serviceName: env.OTEL_SERVICE_NAME || 'conduit',
    },
  } as const;
}

/** The app's settings: what `createApp` (src/app.ts) and the server are built from. */
export type Settings = ReturnType<typeof readConfig>;

/** The settings of `env` (the process's environment by default); a misconfigured process stops with the reason. */
export function loadSettings(env: Env = process.env): Settings {
  return loadOrExit(readConfig, env);
}
