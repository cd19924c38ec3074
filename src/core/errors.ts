/**
 * The typed errors the layers throw, and the one place that owns their messages. They carry the
 * RealWorld error body (`{"errors": {"<key>": ["<message>"]}}`) with the keys and messages that
 * spec 2.0.0 fixes; src/core/http.ts turns them into responses.
 */

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
  ) {
    super(
      Object.entries(fields)
        .map(([field, messages]) => `${field} ${messages.join(', ')}`)
        .join('; '),
    );
  }
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

/** The things the API names in its 403 and 404 bodies. */
export type Resource = 'article' | 'comment' | 'profile';

/** 403: authenticated, but the resource belongs to someone else. */
export class Forbidden extends AppError {
  constructor(resource: Resource) {
    super(403, { [resource]: [MESSAGES.forbidden] });
  }
}

/** 404: the named resource (or, for a path that names nothing, the route or parameter) does not exist. */
export class NotFound extends AppError {
  constructor(what: Resource | (string & {})) {
    super(404, { [what]: [MESSAGES.notFound] });
  }
}

/** 409: a value that must be unique (an email, a username) is already in use. */
export class Conflict extends AppError {
  constructor(field: string) {
    super(409, { [field]: [MESSAGES.taken] });
  }
}

/** 415: a request body that is not JSON. */
export class UnsupportedMediaType extends AppError {
  constructor() {
    super(415, { body: ['must be JSON, sent with Content-Type: application/json'] });
  }
}
