/**
 * The typed errors the layers throw, the one place that owns their messages, and the one mapping
 * from an error to its answer (`answer`). They carry the RealWorld error body
 * (`{"errors": {"<key>": ["<message>"]}}`) with the keys and messages that spec 2.0.0 fixes, and
 * the response headers their answer needs (`Allow`, `Retry-After`). src/core/http.ts answers
 * every error thrown anywhere through `answer`; a hook that must answer by itself uses it too, and
 * a plugin that sends a Response of its own is given `errorResponse`.
 */
import type { Context } from 'elysia';

export type ErrorFields = Record<string, string[]>;

/** The contract's fixed messages. Validation messages the contract leaves open live in src/core/http.ts. */
export const MESSAGES = {
  blank: "can't be blank",
  taken: 'has already been taken',
  missing: 'is missing',
  invalid: 'invalid',
  forbidden: 'forbidden',
  notFound: 'not found',
} as const;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly fields: ErrorFields,
    /** Response headers the answer carries, by lower-case name. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(
      Object.entries(fields)
        .map(([field, messages]) => `${field} ${messages.join(', ')}`)
        .join('; '),
    );
  }
}

/** The body of a typed error's answer. */
function errorBody(error: AppError): { errors: ErrorFields } {
  return { errors: error.fields };
}

/** The one mapping from a typed error to its answer: its status and headers on `set`, its body returned. */
export function answer(error: AppError, set: Context['set']): { errors: ErrorFields } {
  set.status = error.status;
  Object.assign(set.headers, error.headers);
  return errorBody(error);
}

/** The same answer as a Response, for a plugin that takes one to send (elysia-rate-limit's `errorResponse`). */
export function errorResponse(error: AppError): Response {
  return Response.json(errorBody(error), { status: error.status, headers: error.headers });
}

/** 422: the request is understood but its content is not acceptable. */
export class Invalid extends AppError {
  constructor(fields: ErrorFields) {
    super(422, fields);
  }
}

const UNAUTHORIZED = {
  /** No `Authorization` header on a route that needs one. */
  tokenMissing: { token: [MESSAGES.missing] },
  /** A token that is malformed, wrongly signed, expired, or names a user who no longer exists. */
  tokenInvalid: { token: [MESSAGES.invalid] },
  /** A login whose email or password is wrong (never saying which). */
  credentialsInvalid: { credentials: [MESSAGES.invalid] },
} satisfies Record<string, ErrorFields>;

/** 401: no valid credentials. */
export class Unauthorized extends AppError {
  constructor(readonly reason: keyof typeof UNAUTHORIZED) {
    super(401, UNAUTHORIZED[reason]);
  }
}

/**
 * The things the API names in its 403 and 404 bodies. Core names none: each feature registers its
 * own where it throws them, so that a misspelled name fails the typecheck:
 *
 *     declare module '../core/errors' {
 *       interface Resources { article: true }
 *     }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the features (declaration merging)
export interface Resources {}
export type Resource = keyof Resources;

/** 403: authenticated, but the resource belongs to someone else. */
export class Forbidden extends AppError {
  constructor(resource: Resource) {
    super(403, { [resource]: [MESSAGES.forbidden] });
  }
}

/** 404: the named resource (or, for a path that names nothing, the route or its parameters) does not exist. */
export class NotFound extends AppError {
  constructor(what: Resource | (string & {}), ...more: string[]) {
    super(404, Object.fromEntries([what, ...more].map((name) => [name, [MESSAGES.notFound]])));
  }
}

/** 405: the path exists, for other methods: `Allow` lists them (OPTIONS, which CORS answers everywhere, last). */
export class MethodNotAllowed extends AppError {
  constructor(method: string, allowed: Iterable<string>) {
    const allow = [...new Set([...allowed].filter((m) => m !== 'OPTIONS')), 'OPTIONS'].join(', ');
    super(405, { method: [`${method} is not allowed here (allowed: ${allow})`] }, { allow });
  }
}

/** 408: the request's body had not all arrived in time. */
export class RequestTimeout extends AppError {
  constructor() {
    super(408, { body: ['took too long to arrive'] });
  }
}

/** 409: a value that must be unique (an email, a username) is already in use. */
export class Conflict extends AppError {
  constructor(field: string) {
    super(409, { [field]: [MESSAGES.taken] });
  }
}

/** 413: a request body over the limit, whether declared (Content-Length) or found while reading it. */
export class PayloadTooLarge extends AppError {
  constructor(maxBytes: number) {
    super(413, { body: [`is too large (maximum is ${maxBytes} bytes)`] });
  }
}

/** 415: a request body that is not JSON. */
export class UnsupportedMediaType extends AppError {
  constructor() {
    super(415, { body: ['must be JSON, sent with Content-Type: application/json'] });
  }
}

/** 429: over a rate limit; `Retry-After` is the seconds until a request is allowed again. */
export class TooManyRequests extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, { requests: ['too many attempts, retry later'] }, { 'retry-after': String(retryAfterSeconds) });
  }
}

/** 500: our bug or an unforeseen failure; its details go to the log, never to the client. */
export class UnexpectedError extends AppError {
  constructor() {
    super(500, { server: ['an unexpected error occurred'] });
  }
}

/** 503 from readiness while the server drains before it stops (SHUTDOWN_DRAIN_MS): send new requests elsewhere. */
export class ShuttingDown extends AppError {
  constructor() {
    super(503, { server: ['is shutting down'] });
  }
}

/** What a 503 says when a retry shortly may succeed. */
export const RETRY_SHORTLY = {
  /** No connection was free in time. */
  busy: 'is busy, please retry shortly',
  /** The database does not answer, or the server is stopping. */
  unavailable: 'is unavailable, please retry shortly',
} as const;

/**
 * 503: the database cannot serve the request now. With `Retry-After` when a retry shortly may succeed
 * (RETRY_SHORTLY); readiness answers carry none (a probe keeps its own schedule).
 */
export class DatabaseUnavailable extends AppError {
  constructor(reason: string, retryAfterSeconds?: number) {
    super(
      503,
      { database: [reason] },
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    );
  }
}
