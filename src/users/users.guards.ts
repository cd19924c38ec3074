/**
 * What a controller's routes may ask for, as macros: `auth` / `optionalAuth` (who is asking,
 * ./users.auth.ts), `writeLimit` (the per-account budget of writes, WRITE_RATE_LIMIT) and
 * `idempotent` (Idempotency-Key, src/idempotency). `createApp` builds one for the app and hands it to
 * every controller, so that they share one budget and one lookup of the session.
 */
import { Elysia } from 'elysia';
import type { Settings } from '../core/config';
import { MinuteBudget, perAccountRateLimit } from '../core/rate-limit';
import { idempotency } from '../idempotency/idempotency.plugin';
import type { IdempotencyService } from '../idempotency/idempotency.service';
import { authentication } from './users.auth';
import type { UsersService } from './users.service';

export function routeGuards(
  users: UsersService,
  keys: IdempotencyService,
  { writeRateLimit }: Pick<Settings, 'writeRateLimit'>,
) {
  return new Elysia({ name: 'route-guards' })
    .use(authentication(users))
    .use(perAccountRateLimit(new MinuteBudget(writeRateLimit)))
    .use(idempotency(keys));
}

export type RouteGuards = ReturnType<typeof routeGuards>;
