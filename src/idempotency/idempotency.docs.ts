/**
 * The `Idempotency-Key` request header in the OpenAPI document (the rules are in ./idempotency.service.ts):
 * a parameter of every write (POST, PUT, DELETE) that needs a token, the writes that have an account
 * to keep a key for. The document is generated from the routes, whose own parameters would replace
 * one given in their `detail`, so the header is added to the generated document instead.
 */

interface Operation {
  security?: Record<string, string[]>[];
  parameters?: unknown[];
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { parameters?: Record<string, unknown> };
}

const WRITES = new Set(['post', 'put', 'delete']);
const REFERENCE = { $ref: '#/components/parameters/IdempotencyKey' };

/** The header's documentation, for keys kept `keptHours` hours. */
const parameter = (keptHours: number) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]+$' },
  example: '4f3c9b2e-8d1a-4c57-9e0b-2a6f1d3c5b7e',
  description:
    'Makes the request safe to retry (IETF draft "The Idempotency-Key HTTP Header Field", as Stripe does it): ' +
    'send a new random key (a UUID) with each write, and the same key when you retry it. The same request ' +
    `again (method, path and body) within ${keptHours} hours gets the first answer (status ` +
    'and body) without doing it again, marked `Idempotent-Replayed: true`; kept are 2xx and 4xx answers, ' +
    'not 401, 408, 429 or 5xx ones, which a retry does anew. Keys belong to the account. `400` the key is ' +
    'blank, longer than 255 characters or not printable ASCII; `409` (with `Retry-After`) a request with ' +
    'this key is still running; `422` the key was used for a different request. All with the errors body, ' +
    'under the key `Idempotency-Key`.',
});

function takesKey(method: string, operation: Operation): boolean {
  const security = operation.security ?? [];
  return WRITES.has(method) && security.length > 0 && security.every((requirement) => 'Token' in requirement);
}

function isDocument(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && 'paths' in value && typeof value.paths === 'object';
}

/**
 * Adds the header, for keys kept `keptHours` hours, to the operations of a document that take it (to a
 * copy: the plugin caches the original).
 */
export const withIdempotencyKey =
  (keptHours: number) =>
  (document: unknown): unknown => {
    if (!isDocument(document)) return document;
    const paths = Object.fromEntries(
      Object.entries(document.paths).map(([path, operations]) => [
        path,
        Object.fromEntries(
          Object.entries(operations).map(([method, operation]) => [
            method,
            takesKey(method, operation)
              ? { ...operation, parameters: [...(operation.parameters ?? []), REFERENCE] }
              : operation,
          ]),
        ),
      ]),
    );
    const components = {
      ...document.components,
      parameters: { ...document.components?.parameters, IdempotencyKey: parameter(keptHours) },
    };
    return { ...document, paths, components };
  };
