/**
 * The typed errors the layers throw. They carry the RealWorld error body
 * (`{"errors": {"field": ["message"]}}`); src/core/http.ts turns them into responses.
 */

export type ErrorFields = Record<string, string[]>;

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

/** 401: no valid credentials. */
export class Unauthorized extends AppError {
  constructor(fields: ErrorFields = { token: ['is missing or invalid'] }) {
    super(401, fields);
  }
}

/** 401 for a valid token whose user no longer exists. */
export class UserGone extends Unauthorized {
  constructor() {
    super({ token: ['belongs to no user'] });
  }
}

/** 403: authenticated, but the resource belongs to someone else. */
export class Forbidden extends AppError {
  constructor(what: string) {
    super(403, { [what]: ['is not yours'] });
  }
}

/** 404: the named resource does not exist. */
export class NotFound extends AppError {
  constructor(what: string) {
    super(404, { [what]: ['not found'] });
  }
}
