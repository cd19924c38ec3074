/**
 * Follows the changes the database announces on `conduit_changes` (drizzle/0020_notify_changes.sql)
 * into a read cache (./read-cache.ts), from a LISTEN on the primary on a session of its own.
 *
 * A process's own writes: before a write's response leaves, `caughtUp` makes one round trip on the
 * listening session, ahead of whose answer PostgreSQL delivers every message committed before it. So
 * the process that wrote has dropped what its write touched before anyone is told the write is done;
 * other processes drop it when the message reaches them (docs/performance.md gives the delay measured).
 */
import type { AppDatabase } from './database';
import { logger, warnNowAndThen } from './logger';
import type { Change, ReadCache } from './read-cache';

export const CHANGES_CHANNEL = 'conduit_changes';

/** How long a write's response waits, at most, for the round trip that brings its own change. */
const CAUGHT_UP_TIMEOUT_MS = 2000;

const KINDS: ReadonlySet<string> = new Set(['articles', 'comments', 'users', 'all']);

/** A message of the channel; anything unexpected counts as "everything changed". */
export function parseChange(payload: string): Change {
  try {
    const { kind, keys, at } = JSON.parse(payload);
    if (KINDS.has(kind) && Array.isArray(keys) && typeof at === 'number') {
      return { kind, keys: keys.filter((key: unknown) => typeof key === 'string'), at };
    }
  } catch {}
  return { kind: 'all', keys: [], at: Date.now() };
}

export interface ChangeFeed {
  /** Resolves once every change committed before the call has reached the cache (at once when it is not serving). */
  caughtUp(): Promise<void>;
}

/** Starts following the changes into `cache`; the listening session closes with the database. */
export function followChanges(database: Pick<AppDatabase, 'listen'>, cache: ReadCache): ChangeFeed {
  let wasListening = false;
  const listener = database.listen(CHANGES_CHANNEL, {
    message: (payload) => cache.apply(parseChange(payload)),
    listening: () => {
      cache.following();
      if (wasListening) logger.info('read cache: listening for changes again');
      wasListening = true;
    },
    lost: (reason) => {
      cache.lost();
      warnNowAndThen('read cache: not listening for changes; every read goes to the database until it is', reason);
    },
  });
  return {
    async caughtUp() {
      if (!cache.serving) return;
      // On failure the listener reports `lost`, and the cache has dropped everything: nothing stale is served.
      await listener.ping(CAUGHT_UP_TIMEOUT_MS).catch(() => {});
    },
  };
}
