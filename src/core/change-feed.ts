/**
 * The changes to what the API serves, announced on the channel `conduit_changes` and followed into
 * each process's read cache (./read-cache.ts) by a LISTEN on the primary, on a session of its own.
 *
 * Two kinds of writer announce:
 * - this app, for its own writes: once a write has committed, the service names what it touched
 *   (`ReadCache.changed`), the cache drops that here at once, and the feed sends it to every other
 *   process, batched: while one announcement is on its way, the writes that finish meanwhile wait and
 *   go together in the next, so that announcing never queues writes behind one another;
 * - everyone else (an operator's SQL, a migration's backfill): the triggers of
 *   drizzle/0020_notify_changes.sql (0021 has them skip the app), inside the writing transaction.
 * The app's own sessions carry conduit.announces=on, which the triggers leave be: PostgreSQL
 * serializes the commits of transactions that NOTIFY, and the app's writes must not pay for that.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { AppDatabase } from './database';
import { logger, warnNowAndThen } from './logger';
import type { Change, ReadCache } from './read-cache';

export const CHANGES_CHANNEL = 'conduit_changes';

/** How long `caughtUp` waits, at most, for its round trip. */
const CAUGHT_UP_TIMEOUT_MS = 2000;
/**
 * Announcements go at most this often: the first change after a quiet spell at once, those that
 * follow within it together. Under a stream of writes this makes one announcement of many (each is a
 * transaction, and a round trip for every process listening), for at most this much more delay.
 */
const ANNOUNCE_GAP_MS = 5;
/** A payload must stay under PostgreSQL's 8000 bytes: past this, "everything changed". */
const MAX_PAYLOAD_BYTES = 7000;

const KINDS: ReadonlySet<string> = new Set(['articles', 'comments', 'users', 'all']);

/** A message of the channel, and who sent it (an app's feed, or none: a trigger); anything unexpected counts as "everything changed". */
export function parseChange(payload: string): { change: Change; from?: string } {
  try {
    const { kind, keys, at, from } = JSON.parse(payload);
    if (KINDS.has(kind) && Array.isArray(keys) && typeof at === 'number') {
      const change = { kind, keys: keys.filter((key: unknown) => typeof key === 'string'), at };
      return typeof from === 'string' ? { change, from } : { change };
    }
  } catch {}
  return { change: { kind: 'all', keys: [], at: Date.now() } };
}

/** A batch of changes, sent by `from`, as messages: one per kind, its keys merged; one "all" when too long. */
export function messagesOf(changes: readonly Change[], from: string): string[] {
  const at = Math.min(...changes.map((change) => change.at));
  const everything = () => [JSON.stringify({ kind: 'all', keys: [], at, from })];
  if (changes.some((change) => change.kind === 'all')) return everything();
  const keysByKind = new Map<Change['kind'], Set<string>>();
  for (const { kind, keys } of changes) {
    const merged = keysByKind.get(kind) ?? new Set<string>();
    for (const key of keys) merged.add(key);
    keysByKind.set(kind, merged);
  }
  const messages = [...keysByKind].map(([kind, keys]) => JSON.stringify({ kind, keys: [...keys], at, from }));
  return messages.some((message) => Buffer.byteLength(message) > MAX_PAYLOAD_BYTES) ? everything() : messages;
}

export interface ChangeFeed {
  /** Resolves once every change committed before the call has reached the cache (at once when it is not serving). */
  caughtUp(): Promise<void>;
}

/**
 * Starts following the changes into `cache`, and hands it the way to announce this process's own;
 * the listening session closes with the database. Once it first listens, the process announces
 * "everything changed": a predecessor that died between a write's commit and its announcement (a
 * crash, a SIGKILL) leaves nothing stale elsewhere past its replacement's start.
 */
export function followChanges(database: Pick<AppDatabase, 'listen' | 'db'>, cache: ReadCache): ChangeFeed {
  let listenedBefore = false;
  // This feed's own announcements come back to it too: the cache applied them when they were made.
  const self = randomUUID();
  const listener = database.listen(CHANGES_CHANNEL, {
    message: (payload) => {
      const { change, from } = parseChange(payload);
      if (from !== self) cache.apply(change);
    },
    listening: () => {
      cache.following();
      if (listenedBefore) logger.info('read cache: listening for changes again');
      else cache.changed({ kind: 'all', keys: [] });
      listenedBefore = true;
    },
    lost: (reason) => {
      cache.lost();
      warnNowAndThen('read cache: not listening for changes; every read goes to the database until it is', reason);
    },
  });

  let waiting: { change: Change; sent: () => void }[] = [];
  let sending = false;
  let lastSent = Number.NEGATIVE_INFINITY;
  /** Sends what is waiting, batch after batch (at most one every ANNOUNCE_GAP_MS), until nothing is. */
  async function send(): Promise<void> {
    sending = true;
    while (waiting.length > 0) {
      const gap = lastSent + ANNOUNCE_GAP_MS - performance.now();
      if (gap > 0) await Bun.sleep(gap);
      lastSent = performance.now();
      const batch = waiting;
      waiting = [];
      const messages = messagesOf(
        batch.map(({ change }) => change),
        self,
      );
      try {
        await listener.notify(messages);
      } catch {
        // The listening session is away: through the pool, then (its commit waits for the flush).
        const notifications = messages.map((message) => sql`pg_notify(${CHANGES_CHANNEL}, ${message})`);
        await database.db
          .execute(sql`select ${sql.join(notifications, sql`, `)}`)
          .catch((error) => warnNowAndThen('read cache: a change could not be announced', error));
      }
      for (const { sent } of batch) sent();
    }
    sending = false;
  }

  cache.announceWith(
    (change) =>
      new Promise<void>((sent) => {
        waiting.push({ change, sent });
        if (!sending) void send();
      }),
  );

  return {
    async caughtUp() {
      if (!cache.serving) return;
      // On failure the listener reports `lost`, and the cache has dropped everything: nothing stale is served.
      await listener.ping(CAUGHT_UP_TIMEOUT_MS).catch(() => {});
    },
  };
}
