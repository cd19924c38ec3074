import { describe, expect, test } from 'bun:test';
import { createSigner } from 'fast-jwt';
import { signToken, tokenFrom, verifyToken } from './auth';
import { Unauthorized } from './errors';
import { tokenConfig } from './token-settings';

describe('tokenFrom', () => {
  test('reads "Token <jwt>" and "Bearer <jwt>", in any case of the scheme', () => {
    expect(tokenFrom('Token abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFrom('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(tokenFrom('token abc.def.ghi')).toBe('abc.def.ghi');
  });

  test('no header means no token', () => {
    expect(tokenFrom(undefined)).toBeUndefined();
    expect(tokenFrom('')).toBeUndefined();
  });

  test('any other shape is refused', () => {
    for (const header of ['abc.def.ghi', 'Basic abc', 'Token', 'Token a b']) {
      expect(() => tokenFrom(header)).toThrow(Unauthorized);
    }
  });
});

describe('signToken / verifyToken', () => {
  test('a signed token verifies to its user id, token version and a random id of its own', () => {
    const first = verifyToken(signToken(42, 3));
    const second = verifyToken(signToken(42, 3));

    expect(first).toEqual({ userId: 42, version: 3, tokenId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) });
    expect(second.tokenId).not.toBe(first.tokenId);
  });

  test('a token lives for JWT_EXPIRES_IN and says when it was issued', () => {
    const [, payload] = signToken(42, 0).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(tokenConfig().expiresInMs / 1000);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
  });

  test('a tampered token is refused', () => {
    const token = signToken(42, 0);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: '1', exp: 9_999_999_999 })).toString('base64url');
    expect(() => verifyToken(`${header}.${payload}.${signature}`)).toThrow(Unauthorized);
  });

  /** A correctly signed token with these claims, issued at `issuedAt` (ms; null: no `iat` claim). */
  const withClaims = (claims: Record<string, unknown>, issuedAt: number | null = Date.now()) =>
    createSigner({
      key: tokenConfig().secret,
      expiresIn: 3_600_000,
      ...(issuedAt === null ? { noTimestamp: true } : { clockTimestamp: issuedAt }),
    })(claims);

  test.each([
    ['a decimal', '1.0'],
    ['hexadecimal', '0x1'],
    ['padded', ' 1 '],
    ['a leading zero', '01'],
    ['an array', [1]],
    ['a number, not a string', 1],
    ['zero', '0'],
    ['negative', '-1'],
    ['beyond the integer range', '2147483648'],
    ['far beyond it', '99999999999999999999'],
  ])('a subject that is %s is refused', (_, sub) => {
    expect(() => verifyToken(withClaims({ sub }))).toThrow(Unauthorized);
  });

  test('the largest user id is accepted; a version that is not a whole number is refused', () => {
    expect(verifyToken(withClaims({ sub: '2147483647' })).userId).toBe(2_147_483_647);
    expect(() => verifyToken(withClaims({ sub: '1', ver: -1 }))).toThrow(Unauthorized);
    expect(() => verifyToken(withClaims({ sub: '1', ver: '1' }))).toThrow(Unauthorized);
  });

  test('a token issued in the future is refused beyond a minute of clock skew', () => {
    expect(verifyToken(withClaims({ sub: '1' }, Date.now() + 30_000)).userId).toBe(1);
    expect(() => verifyToken(withClaims({ sub: '1' }, Date.now() + 3_600_000))).toThrow(Unauthorized);
    expect(() => verifyToken(withClaims({ sub: '1' }, null))).toThrow(Unauthorized);
  });

  test('tokens from before token versions and ids (no "ver", no "jti") count as version 0, with no id', () => {
    expect(verifyToken(withClaims({ sub: '7' }))).toEqual({ userId: 7, version: 0, tokenId: undefined });
  });

  test('a token id is 16 base64url characters; anything else is refused', () => {
    expect(() => verifyToken(withClaims({ sub: '7', jti: 'short' }))).toThrow(Unauthorized);
    expect(() => verifyToken(withClaims({ sub: '7', jti: 42 }))).toThrow(Unauthorized);
  });
});
