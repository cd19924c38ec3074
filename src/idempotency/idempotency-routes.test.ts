/**
 * Which routes take an `Idempotency-Key`: every write of an account (POST, PUT and DELETE that need a
 * token), read off the app's own routes, so that a write added later without `idempotent: true` fails
 * here; and no read or anonymous route pays for the hooks.
 */
import { describe, expect, test } from 'bun:test';
import { testApp } from '../test/app';
import { idempotencyHooks } from './idempotency.plugin';

const { app } = await testApp();

const WRITES = new Set(['POST', 'PUT', 'DELETE']);

interface RouteHooks {
  beforeHandle?: unknown;
  mapResponse?: unknown;
  afterResponse?: unknown;
  detail?: { security?: unknown[] };
}

/** A route's hooks of one kind, as functions (Elysia keeps some as `{ fn }`). */
function hooksOf(hooks: RouteHooks, kind: 'beforeHandle' | 'mapResponse' | 'afterResponse'): unknown[] {
  const list = hooks[kind];
  return (Array.isArray(list) ? list : list ? [list] : []).map((hook) =>
    typeof hook === 'object' && hook !== null && 'fn' in hook ? hook.fn : hook,
  );
}

const routes = app.routes.map((route) => {
  const hooks = (route.hooks ?? {}) as RouteHooks;
  const carries = (kind: 'beforeHandle' | 'mapResponse' | 'afterResponse') =>
    hooksOf(hooks, kind).includes(idempotencyHooks[kind]);
  return {
    name: `${route.method} ${route.path}`,
    accountWrite: WRITES.has(route.method) && (hooks.detail?.security?.length ?? 0) > 0,
    idempotent: carries('beforeHandle') && carries('mapResponse') && carries('afterResponse'),
  };
});

describe('routes that take an Idempotency-Key', () => {
  test('the ten writes of an account, found among the routes', () => {
    expect(routes.filter((route) => route.accountWrite).length).toBe(10);
  });

  test.each(routes.filter((route) => route.accountWrite).map((route) => [route.name]))('%s takes one', (name) => {
    expect(routes.find((route) => route.name === name)?.idempotent).toBe(true);
  });

  test('no other route carries the hooks (reads, registration, login, health, docs)', () => {
    expect(routes.filter((route) => !route.accountWrite && route.idempotent).map((route) => route.name)).toEqual([]);
  });
});
