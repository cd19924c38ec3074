/**
 * Every setting the app reads from the environment, parsed and checked once.
 * Runtime code and drizzle.config.ts both read this module, never process.env directly.
 */
import { availableParallelism } from 'node:os';
import { parse as parseDuration } from '@lukeed/ms';

export class ConfigError extends Error {}

/** Signs development tokens only; production refuses to start with it (see readConfig). */
const DEVELOPMENT_JWT_SECRET = 'conduit-development-secret-never-use-in-production';
const MIN_PRODUCTION_SECRET_LENGTH = 32;

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, minimum: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`${name} must be an integer of at least ${minimum}, got "${raw}"`);
  }
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, 1);
}

function flag(env: Env, name: string): boolean {
  return ['1', 'true', 'yes'].includes((env[name] ?? '').toLowerCase());
}

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

const WEEK_MS = 7 * 24 * 3_600_000;

/** JWT_EXPIRES_IN: a duration such as "7d", "12h" or "30m", in milliseconds; a week by default. */
function tokenLifetime(raw: string | undefined): number {
  if (raw === undefined || raw === '') return WEEK_MS;
  const milliseconds = parseDuration(raw);
  if (milliseconds === undefined || !Number.isFinite(milliseconds) || milliseconds < 1000) {
    throw new ConfigError(
      `JWT_EXPIRES_IN must be a duration of at least a second such as 7d, 12h or 30m, got "${raw}"`,
    );
  }
  return milliseconds;
}

export function readConfig(env: Env) {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const production = nodeEnv === 'production';
  const jwtSecret = env.JWT_SECRET ?? '';

  if (production && jwtSecret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    throw new ConfigError(
      `JWT_SECRET must be set to a random string of at least ${MIN_PRODUCTION_SECRET_LENGTH} ` +
        'characters when NODE_ENV=production (for example: openssl rand -base64 48).',
    );
  }

  const workers = workerCount(env.WORKERS);
  const replicaUrls = (env.DATABASE_REPLICA_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  if (replicaUrls.length > 0 && !env.DATABASE_URL) {
    throw new ConfigError('DATABASE_REPLICA_URLS needs DATABASE_URL: replicas serve reads for a primary.');
  }
  if (workers > 1 && !env.DATABASE_URL) {
    throw new ConfigError('WORKERS above 1 needs DATABASE_URL: the embedded database belongs to a single process.');
  }

  return {
    nodeEnv,
    production,
    /** Server processes sharing the port. */
    workers,
    /** Set by the supervisor in the processes it starts (src/core/workers.ts); not for operators. */
    workerId: env.CONDUIT_WORKER_ID || undefined,
    port: positiveInteger(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    /** Requests with a larger body are refused with 413. */
    maxBodyBytes: 1024 * 1024,
    /** Registrations and logins per minute per client address; 0 turns the limit off. */
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 30, 0),
    /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
    trustProxy: flag(env, 'TRUST_PROXY'),
    corsOrigins: origins(env.CORS_ORIGINS),
    logLevel: logLevel(env.LOG_LEVEL),
    database: {
      /** A PostgreSQL server; when absent, the embedded PGlite database is used. */
      url: env.DATABASE_URL || undefined,
      /** Streaming replicas of that server, for reads that need not see the request's own writes. */
      replicaUrls,
      poolMax: positiveInteger(env, 'DB_POOL_MAX', 10),
      /** A request waits at most this long for a connection to a server that does not answer. */
      connectTimeoutMs: positiveInteger(env, 'DB_CONNECT_TIMEOUT_MS', 1500),
      /** The server cancels any statement that runs longer. */
      statementTimeoutMs: positiveInteger(env, 'DB_STATEMENT_TIMEOUT_MS', 5000),
      /** Where the embedded database keeps its files; `memory://` keeps nothing. */
      embeddedDataDir: env.PGLITE_DATA_DIR || '.data/pglite',
      /** Log each SQL statement (without its parameters) at debug level. */
      logQueries: flag(env, 'DB_LOG'),
      /** DATABASE_URL is a PgBouncer in transaction mode: no named prepared statements, no session settings. */
      pgbouncer: flag(env, 'DB_PGBOUNCER'),
    },
    jwt: {
      secret: jwtSecret || DEVELOPMENT_JWT_SECRET,
      usingDevelopmentSecret: jwtSecret === '',
      /** Token lifetime in milliseconds (JWT_EXPIRES_IN: "7d", "12h", "30m"). */
      expiresInMs: tokenLifetime(env.JWT_EXPIRES_IN),
    },
  } as const;
}

export type Config = ReturnType<typeof readConfig>;

function loadConfig(): Config {
  try {
    return readConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A misconfigured process must not start; say why without a stack trace.
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
}

export const config = loadConfig();
