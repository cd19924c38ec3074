/**
 * Safe retries: the rules of `Idempotency-Key` (the IETF httpapi draft "The Idempotency-Key HTTP Header
 * Field", as Stripe applies it). A client that did not hear back sends the same request with the same
 * key again, and gets the first answer instead of a second article:
 *
 * - a key belongs to an account; the first request with it claims it (the database decides, so of
 *   concurrent requests exactly one does the work) and its answer is kept for IDEMPOTENCY_KEY_HOURS;
 * - the same request again (method, path, query and body: its fingerprint) gets that answer back;
 *   another request with the key answers 422; one while the first still runs answers 409;
 * - answers worth retrying (401, 408, 429, 5xx) are not kept: the key is let go;
 * - a claim unanswered after ABANDONED_AFTER_S is taken to belong to a process that died.
 */
import { createHmac } from 'node:crypto';
import type { TokenClaims } from '../core/auth';
import { MAX_BODY_BYTES } from '../core/body';
import type { Settings } from '../core/config';
import { AppError, Invalid } from '../core/errors';
import { logger, warnNowAndThen } from '../core/logger';
import { tokenConfig } from '../core/token-settings';
import type { UsersService } from '../users/users.service';
import type { Claim, IdempotencyRepository, KeyTimes } from './idempotency.repository';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const MAX_KEY_LENGTH = 255;
const PRINTABLE_ASCII = /^[\x20-\x7E]*$/;

/**
 * Far longer than any request runs (statements stop after DB_STATEMENT_TIMEOUT_MS, 5 s by default):
 * an older unanswered claim is a process that died mid-request, and must not hold the key for a day.
 */
const ABANDONED_AFTER_S = 60;
/**
 * The largest answer kept: the largest request body. The largest these routes give, an article with a
 * 100,000-character body, is well under it; anything larger is not kept (the key is let go, and logged).
 */
const MAX_REPLY_BYTES = MAX_BODY_BYTES;
/** Expired keys deleted per answer kept: more than one, so that they go faster than new ones come. */
const EXPIRED_PER_ANSWER = 10;

/** 409: the first request with this key is still running; a retry in a second may find it answered. */
class KeyInUse extends AppError {
  constructor() {
    super(
      409,
      { [IDEMPOTENCY_KEY_HEADER]: ['is in use by a request still in progress, retry shortly'] },
      { 'retry-after': '1' },
    );
  }
}

/** 400, as the draft answers a request without a usable key. */
class MalformedKey extends AppError {
  constructor(message: string) {
    super(400, { [IDEMPOTENCY_KEY_HEADER]: [message] });
  }
}

/** The key as sent (the draft's quoted form and Stripe's bare one both work): 1 to 255 printable ASCII characters. */
export function checkKey(raw: string): string {
  if (raw === '') throw new MalformedKey("can't be blank");
  if (raw.length > MAX_KEY_LENGTH) throw new MalformedKey(`is too long (maximum is ${MAX_KEY_LENGTH} characters)`);
  if (!PRINTABLE_ASCII.test(raw)) throw new MalformedKey('must be printable ASCII characters');
  return raw;
}

let fingerprintKey: Buffer | undefined;

/**
 * What makes two requests "the same": method, path, query and body, as an HMAC keyed from the token
 * secret. Never a plain hash: a body may hold a password (PUT /api/user), which a plain hash would
 * let anyone with the table guess offline.
 */
export function fingerprintOf(request: { method: string; path: string; query: unknown; body: unknown }): string {
  fingerprintKey ??= createHmac('sha256', tokenConfig().secret).update('conduit idempotency-key fingerprint').digest();
  const { method, path, query, body } = request;
  return createHmac('sha256', fingerprintKey)
    .update(JSON.stringify([method, path, query ?? null, body ?? null]))
    .digest('base64url');
}

/** A first answer, as kept: its status and its JSON body (null for none). */
export interface Answer {
  status: number;
  reply: string | null;
}

export type Begun = { claim: Claim } | { replay: Answer };

/**
 * Final answers are kept, 2xx and 4xx alike; those a retry may change are not: no credentials
 * (401), too slow (408), too many (429), and the server's failures (5xx).
 */
function isKept(status: number): boolean {
  return status >= 200 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** How often a claim that could not be let go is tried again. */
const LET_GO_AGAIN_MS = 500;

/** The body as kept: JSON, without a user's token (a secret, and only ever for the session asking). */
function replyOf(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (hasUser(body)) {
    const { token: _secret, ...user } = body.user;
    return JSON.stringify({ ...body, user });
  }
  return JSON.stringify(body);
}

function hasUser(body: unknown): body is { user: Record<string, unknown> } {
  return typeof body === 'object' && body !== null && 'user' in body && typeof body.user === 'object' && !!body.user;
}

/** The rules over `keys`; `users` reads the token a replayed user answer goes out with. */
export function idempotencyService(
  keys: IdempotencyRepository,
  users: UsersService,
  { idempotencyKeyHours }: Pick<Settings, 'idempotencyKeyHours'>,
) {
  const times: KeyTimes = { keptSeconds: idempotencyKeyHours * 3600, abandonedSeconds: ABANDONED_AFTER_S };

  /**
   * Claims the key for this request, or says what to answer instead. What was kept is shown only to a
   * session that is still good (a password change ends the others): the route's authentication, which
   * runs before the idempotency hooks, has just checked it.
   */
  async function beginRequest(session: TokenClaims, key: string, fingerprint: string): Promise<Begun> {
    // A claim let go between our attempt and our look (its request failed) is free again: try once more.
    for (let attempt = 0; attempt < 2; attempt++) {
      const claim = { accountId: session.userId, key, claim: crypto.randomUUID() };
      if (await keys.claimKey({ ...claim, fingerprint }, times)) return { claim };
      const held = await keys.findKey(claim);
      if (!held) continue;
      if (held.fingerprint !== fingerprint)
        throw new Invalid({ [IDEMPOTENCY_KEY_HEADER]: ['was used for a different request'] });
      if (held.status === null) throw new KeyInUse();
      return { replay: { status: held.status, reply: await withSessionToken(held.reply, session) } };
    }
    throw new KeyInUse();
  }

  /**
   * Lets the key go. When that fails too (the database is away: the request's own 503 in a failover
   * or a switchover), it is tried again every LET_GO_AGAIN_MS until it works or the claim counts as
   * abandoned anyway: else a client retrying with the key, as a 503's Retry-After asks, would meet 409
   * for up to ABANDONED_AFTER_S after the database is back. (Found by test:failover's switchover.)
   */
  async function letGo(claim: Claim): Promise<void> {
    try {
      await keys.releaseKey(claim);
    } catch (error) {
      void letGoOnceBack(claim, Date.now() + ABANDONED_AFTER_S * 1000);
      throw error;
    }
  }

  async function letGoOnceBack(claim: Claim, until: number): Promise<void> {
    while (Date.now() < until) {
      await Bun.sleep(LET_GO_AGAIN_MS);
      try {
        await keys.releaseKey(claim);
        return;
      } catch {
        // Still away: the first failure was logged (src/idempotency/idempotency.plugin.ts).
      }
    }
  }

  /** Keeps the answer for retries (or lets the key go), then deletes a few expired keys. */
  async function finishRequest(claim: Claim, answer: { status: number; body: unknown } | undefined) {
    const reply = answer && isKept(answer.status) ? replyOf(answer.body) : undefined;
    if (!answer || reply === undefined) return letGo(claim);
    if (reply !== null && Buffer.byteLength(reply) > MAX_REPLY_BYTES) {
      logger.warn({ status: answer.status }, 'an answer too large to keep for Idempotency-Key retries');
      return letGo(claim);
    }
    await keys.storeAnswer(claim, { status: answer.status, reply });
    // The next answer kept tries again. (The warning carries the driver's own message, never the statement's parameters.)
    await keys
      .deleteExpiredKeys(times.keptSeconds, EXPIRED_PER_ANSWER)
      .catch((error) => warnNowAndThen('expired Idempotency-Keys not deleted', error));
  }

  /** A kept user answer (PUT /api/user) goes out with the token of the session replaying it, read now. */
  async function withSessionToken(reply: string | null, session: TokenClaims): Promise<string | null> {
    if (reply === null) return null;
    const body: unknown = JSON.parse(reply);
    if (!hasUser(body)) return reply;
    const { token } = await users.currentUser(session);
    return JSON.stringify({ ...body, user: { ...body.user, token } });
  }

  return { beginRequest, finishRequest };
}

export type IdempotencyService = ReturnType<typeof idempotencyService>;
