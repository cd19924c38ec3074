import { describe, expect, test } from 'bun:test';
import { signToken, tokenFrom, verifyToken } from './auth';
import { config } from './config';
import { Unauthorized } from './errors';

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
  test('a signed token verifies to its user id', () => {
    expect(verifyToken(signToken(42))).toBe(42);
  });

  test('a token lives for JWT_EXPIRES_IN and says when it was issued', () => {
    const [, payload] = signToken(42).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(config.jwt.expiresInMs / 1000);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
  });

  test('a tampered token is refused', () => {
    const token = signToken(42);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: '1', exp: 9_999_999_999 })).toString('base64url');
    expect(() => verifyToken(`${header}.${payload}.${signature}`)).toThrow(Unauthorized);
  });
});
