/**
 * Tokens: an HS256 JWT whose subject is the user id. Signing and reading them is pure and needs
 * no database; the Elysia macros that turn a request's token into the current user (and check
 * that the user still exists) are in src/users/users.auth.ts.
 */
import { createSigner, createVerifier } from 'fast-jwt';
import { Unauthorized } from './errors';
import { tokenConfig } from './token-settings';

/*
 * fast-jwt signs and verifies with node:crypto's HMAC synchronously (microseconds), where the
 * WebCrypto-based libraries take a thread-pool round trip per token: on token-bearing reads that
 * was a tenth of the server's CPU. The algorithm list is fixed, so "none" and others are refused.
 */
const ALGORITHM = 'HS256';

function buildKeys() {
  const { secret, expiresInMs } = tokenConfig();
  return {
    sign: createSigner({ key: secret, algorithm: ALGORITHM, expiresIn: expiresInMs }),
    verify: createVerifier({ key: secret, algorithms: [ALGORITHM], requiredClaims: ['sub', 'exp', 'iat'] }),
  };
}

/** Built on first use, so that importing this module needs no secret (see ./token-settings.ts). */
let keys: ReturnType<typeof buildKeys> | undefined;
function tokenKeys() {
  keys ??= buildKeys();
  return keys;
}

/** User ids are PostgreSQL integers: 1 to 2^31 - 1, written the one canonical way. */
const USER_ID = /^[1-9][0-9]{0,9}$/;
const MAX_USER_ID = 2_147_483_647;
/** Clocks of the hosts behind one load balancer may disagree by this much. */
const CLOCK_SKEW_S = 60;

/** What a valid token says: whose it is, which of their token versions it was issued under, and its id. */
export interface TokenClaims {
  userId: number;
  /** The user's token version when it was issued; changing the password moves it on, retiring older tokens. */
  version: number;
  /** A random id (`jti`), so that the token that changed a password can be told from the others. */
  tokenId: string | undefined;
}

/** A token id: 96 random bits, base64url. */
const TOKEN_ID = /^[A-Za-z0-9_-]{16}$/;

export function signToken(userId: number, version: number): string {
  const jti = Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64url');
  return tokenKeys().sign({ sub: String(userId), ver: version, jti });
}

/**
 * The claims of a valid, unexpired HS256 token; throws Unauthorized for anything else, including
 * claims that are merely similar to valid ones (a `sub` of "1.0", "0x1", " 1 " or [1]; an `iat`
 * in the future).
 */
export function verifyToken(token: string): TokenClaims {
  let payload: Record<string, unknown>;
  try {
    payload = tokenKeys().verify(token);
  } catch {
    // Signature, algorithm, expiry and format failures all answer the same way.
    throw new Unauthorized('tokenInvalid');
  }
  const { sub, ver = 0, iat, jti } = payload;
  const userId = typeof sub === 'string' && USER_ID.test(sub) ? Number(sub) : 0;
  const issuedInTime = typeof iat === 'number' && iat <= Date.now() / 1000 + CLOCK_SKEW_S;
  // Tokens from before token versions existed carry none: they count as version 0.
  const validVersion = Number.isSafeInteger(ver) && (ver as number) >= 0;
  // Tokens from before token ids existed carry none.
  const validId = jti === undefined || (typeof jti === 'string' && TOKEN_ID.test(jti));
  if (userId < 1 || userId > MAX_USER_ID || !issuedInTime || !validVersion || !validId) {
    throw new Unauthorized('tokenInvalid');
  }
  return { userId, version: ver as number, tokenId: jti as string | undefined };
}

const AUTHORIZATION = /^(?:Token|Bearer) +(\S+)\s*$/i;

/** The token of an `Authorization: Token <jwt>` (or `Bearer <jwt>`) header; undefined when there is no header. */
export function tokenFrom(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = AUTHORIZATION.exec(header);
  if (!match?.[1]) throw new Unauthorized('tokenInvalid');
  return match[1];
}

/**
 * The claims of an `Authorization` header's token: null when there is no header. Throws
 * Unauthorized('tokenInvalid') for a malformed header or a token that does not verify.
 */
export function claimsFrom(header: string | undefined): TokenClaims | null {
  const token = tokenFrom(header);
  return token === undefined ? null : verifyToken(token);
}
