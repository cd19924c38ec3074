/**
 * Headers for a JSON API that no browser should render, frame or sniff, on every response: answers,
 * errors (those of other hooks included: set when the request arrives, before any of them can throw),
 * 404s and the /docs page, which replaces the Content-Security-Policy with its own (./docs-page.ts).
 */
import { Elysia } from 'elysia';
import type { Settings } from './config';

const headers = (production: boolean): Record<string, string> => ({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-opener-policy': 'same-origin',
  ...(production && { 'strict-transport-security': 'max-age=31536000; includeSubDomains' }),
});

/** Use it before the plugins whose `onRequest` hooks may answer or throw (httpPolicy). */
export function securityHeaders({ production }: Pick<Settings, 'production'>) {
  const all = headers(production);
  return new Elysia({ name: 'security-headers' }).onRequest(({ set }) => {
    Object.assign(set.headers, all);
  });
}
