import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { AppDatabase } from '../core/database';
import { rethrowConstraintViolation } from '../core/database-errors';
import { Unauthorized } from '../core/errors';
import { idempotencyKeys } from './schema/idempotency-keys.schema';

/** One account's key. */
export interface KeyOf {
  accountId: number;
  key: string;
}

/** A request's hold on a key: only the request that claimed it may answer for it or let it go. */
export interface Claim extends KeyOf {
  claim: string;
}

export interface KeyTimes {
  /** A key is forgotten this long after it was claimed. */
  keptSeconds: number;
  /** A claim still unanswered after this long belongs to a request that died: another may take the key. */
  abandonedSeconds: number;
}

const secondsAgo = (seconds: number) => sql`now() - make_interval(secs => ${seconds})`;

function matches({ accountId, key }: KeyOf) {
  return and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.key, key));
}

/** The keys and the answers they were given, on `database` (the primary). */
export function idempotencyRepository({ db, admit }: AppDatabase) {
  /**
   * Claims the key for this request, in one statement: the database decides, so of two requests with
   * one key exactly one gets it. The key is free when nobody has it, when it has expired, or when its
   * claim was abandoned. Returns whether this request got it.
   */
  async function claimKey(claim: Claim & { fingerprint: string }, times: KeyTimes): Promise<boolean> {
    using _operation = await admit('idempotency.claimKey', 'primary');
    const fresh = {
      fingerprint: claim.fingerprint,
      claim: claim.claim,
      createdAt: sql`now()`,
      status: null,
      reply: null,
    };
    const rows = await db
      .insert(idempotencyKeys)
      .values({ accountId: claim.accountId, key: claim.key, ...fresh })
      .onConflictDoUpdate({
        target: [idempotencyKeys.accountId, idempotencyKeys.key],
        set: fresh,
        setWhere: or(
          lt(idempotencyKeys.createdAt, secondsAgo(times.keptSeconds)),
          and(isNull(idempotencyKeys.status), lt(idempotencyKeys.createdAt, secondsAgo(times.abandonedSeconds))),
        ),
      })
      .returning({ claim: idempotencyKeys.claim })
      .catch((error) =>
        // The account is gone (its token outlived it): the route answers that as it always does.
        rethrowConstraintViolation(error, {
          idempotency_keys_account_id_users_id_fk: () => new Unauthorized('tokenInvalid'),
        }),
      );
    return rows.length > 0;
  }

  /** The record of a key someone else holds (or held); undefined when it has just been let go. */
  async function findKey(key: KeyOf) {
    using _operation = await admit('idempotency.findKey', 'primary');
    const [row] = await db
      .select({
        fingerprint: idempotencyKeys.fingerprint,
        status: idempotencyKeys.status,
        reply: idempotencyKeys.reply,
      })
      .from(idempotencyKeys)
      .where(matches(key));
    return row;
  }

  /** Keeps the first answer, if this request still holds the key. */
  async function storeAnswer(claim: Claim, answer: { status: number; reply: string | null }): Promise<void> {
    using _operation = await admit('idempotency.storeAnswer', 'primary');
    await db
      .update(idempotencyKeys)
      .set(answer)
      .where(and(matches(claim), eq(idempotencyKeys.claim, claim.claim)));
  }

  /** Lets the key go (an answer worth retrying), if this request still holds it. */
  async function releaseKey(claim: Claim): Promise<void> {
    using _operation = await admit('idempotency.releaseKey', 'primary');
    await db.delete(idempotencyKeys).where(and(matches(claim), eq(idempotencyKeys.claim, claim.claim)));
  }

  /**
   * Deletes up to `batch` expired keys, oldest first (off the created_at index), skipping rows another
   * request is busy with. Run as new keys come in, it keeps the table at about the keys of one
   * keeping period.
   */
  async function deleteExpiredKeys(keptSeconds: number, batch: number): Promise<void> {
    using _operation = await admit('idempotency.deleteExpiredKeys', 'primary');
    const expired = db
      .select({ accountId: idempotencyKeys.accountId, key: idempotencyKeys.key })
      .from(idempotencyKeys)
      .where(lt(idempotencyKeys.createdAt, secondsAgo(keptSeconds)))
      .orderBy(idempotencyKeys.createdAt)
      .limit(batch)
      .for('update', { skipLocked: true });
    await db
      .delete(idempotencyKeys)
      .where(inArray(sql`(${idempotencyKeys.accountId}, ${idempotencyKeys.key})`, expired));
  }

  return { claimKey, findKey, storeAnswer, releaseKey, deleteExpiredKeys };
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;
