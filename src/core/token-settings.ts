/**
 * The token settings, apart from the rest: only what signs or reads tokens (src/core/auth.ts) loads
 * them, on first use, so that commands that never touch a token (migrate, status, seed) run without
 * JWT_SECRET. The server loads them as it starts, to refuse a bad secret at once.
 */
import { parse as parseDuration } from '@lukeed/ms';
import { ConfigError, type Env, loadOrExit } from './env';

/** Signs development tokens only; production refuses to start with it. */
const DEVELOPMENT_JWT_SECRET = 'conduit-development-secret-never-use-in-production';
const MIN_PRODUCTION_SECRET_LENGTH = 32;
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

export function readTokenConfig(env: Env) {
  const secret = env.JWT_SECRET ?? '';
  if (env.NODE_ENV === 'production' && secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
    throw new ConfigError(
      `JWT_SECRET must be set to a random string of at least ${MIN_PRODUCTION_SECRET_LENGTH} ` +
        'characters when NODE_ENV=production (for example: openssl rand -base64 48).',
    );
  }
  return {
    secret: secret || DEVELOPMENT_JWT_SECRET,
    usingDevelopmentSecret: secret === '',
    /** Token lifetime in milliseconds (JWT_EXPIRES_IN: "7d", "12h", "30m"). */
    expiresInMs: tokenLifetime(env.JWT_EXPIRES_IN),
  } as const;
}

type TokenConfig = ReturnType<typeof readTokenConfig>;

let loaded: TokenConfig | undefined;

/** The token settings, read (and checked) the first time anything asks. */
export function tokenConfig(): TokenConfig {
  loaded ??= loadOrExit(readTokenConfig);
  return loaded;
}
