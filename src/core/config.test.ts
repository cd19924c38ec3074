import { describe, expect, test } from 'bun:test';
import { readConfig } from './config';
import { ConfigError } from './env';
import { readTokenConfig } from './token-settings';

describe('readConfig', () => {
  test('defaults: port 3000 on 0.0.0.0, pool of 10, embedded database when DATABASE_URL is unset', () => {
    const config = readConfig({});
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', shutdownGraceMs: 10_000 });
    expect(config.database).toEqual({
      url: undefined,
      listenUrl: undefined,
      replicaUrls: [],
      poolMax: 10,
      poolWaitMs: 1000,
      poolSharePercent: 50,
      connectTimeoutMs: 1500,
      statementTimeoutMs: 5000,
      embeddedDataDir: '.data/pglite',
      logQueries: false,
      pgbouncer: false,
      migration: { lockTimeoutMs: 5000, attempts: 5 },
    });
  });

  test('refuses numbers out of range', () => {
    expect(() => readConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => readConfig({ DB_POOL_MAX: '0' })).toThrow(/DB_POOL_MAX/);
    expect(() => readConfig({ DB_POOL_SHARE: '150' })).toThrow(/DB_POOL_SHARE/);
    expect(() => readConfig({ AUTH_RATE_LIMIT: '-1' })).toThrow(/AUTH_RATE_LIMIT/);
    expect(() => readConfig({ WRITE_RATE_LIMIT: 'many' })).toThrow(/WRITE_RATE_LIMIT/);
  });

  test('SHUTDOWN_DRAIN_MS: none by default; it is part of SHUTDOWN_GRACE_MS, so it must be shorter', () => {
    expect(readConfig({}).shutdownDrainMs).toBe(0);
    expect(readConfig({ SHUTDOWN_DRAIN_MS: '5000' }).shutdownDrainMs).toBe(5000);
    expect(() => readConfig({ SHUTDOWN_DRAIN_MS: '10000' })).toThrow(/must be less than SHUTDOWN_GRACE_MS/);
    expect(() => readConfig({ SHUTDOWN_DRAIN_MS: '-1' })).toThrow(/SHUTDOWN_DRAIN_MS/);
  });

  test('the auth rate limit defaults to 30 a minute; 0 turns it off', () => {
    expect(readConfig({}).authRateLimit).toBe(30);
    expect(readConfig({ AUTH_RATE_LIMIT: '0' }).authRateLimit).toBe(0);
  });

  test('the write rate limit defaults to 60 a minute per account; 0 turns it off', () => {
    expect(readConfig({}).writeRateLimit).toBe(60);
    expect(readConfig({ WRITE_RATE_LIMIT: '0' }).writeRateLimit).toBe(0);
  });

  test('CORS_ORIGINS: "*" by default, else the listed origins', () => {
    expect(readConfig({}).corsOrigins).toBe('*');
    expect(readConfig({ CORS_ORIGINS: 'https://a.example, https://b.example' }).corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  test('TRUST_PROXY: off by default; "true" is one proxy; a number is that many', () => {
    expect(readConfig({}).trustedProxies).toBe(0);
    expect(readConfig({ TRUST_PROXY: 'true' }).trustedProxies).toBe(1);
    expect(readConfig({ TRUST_PROXY: '2' }).trustedProxies).toBe(2);
    expect(() => readConfig({ TRUST_PROXY: 'sometimes' })).toThrow(/TRUST_PROXY/);
  });
});

describe('readTokenConfig', () => {
  test('in production, refuses a missing or short JWT_SECRET', () => {
    expect(() => readTokenConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => readTokenConfig({ NODE_ENV: 'production', JWT_SECRET: 'too-short' })).toThrow(
      /at least 32 characters/,
    );
  });

  test('in production, accepts a secret of 32 characters or more', () => {
    const config = readTokenConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(config).toMatchObject({ secret: 'x'.repeat(32), usingDevelopmentSecret: false });
  });

  test('in development, a missing secret falls back to the development one, flagged', () => {
    const config = readTokenConfig({});
    expect(config.usingDevelopmentSecret).toBe(true);
    expect(config.secret.length).toBeGreaterThanOrEqual(32);
  });

  test('JWT_EXPIRES_IN: 7 days by default, else a duration; nonsense stops the start', () => {
    expect(readTokenConfig({}).expiresInMs).toBe(7 * 24 * 3_600_000);
    expect(readTokenConfig({ JWT_EXPIRES_IN: '12h' }).expiresInMs).toBe(12 * 3_600_000);
    expect(readTokenConfig({ JWT_EXPIRES_IN: '30m' }).expiresInMs).toBe(30 * 60_000);
    for (const nonsense of ['soon', '-5d', '10', '0.5s']) {
      expect(() => readTokenConfig({ JWT_EXPIRES_IN: nonsense })).toThrow(/JWT_EXPIRES_IN/);
    }
  });

  test('the app settings need no secret: production without JWT_SECRET loads them', () => {
    expect(readConfig({ NODE_ENV: 'production' }).production).toBe(true);
  });
});
