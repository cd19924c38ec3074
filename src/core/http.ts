/**
 * Request policy, and the one error hook: whatever is thrown, by a route or a hook, becomes a typed
 * error (./errors.ts) and is answered through `answer`. Every error body has the RealWorld shape
 * `{"errors": {"<field>": ["<message>"]}}`; nothing else (no HTML, no stack traces) ever reaches a
 * client.
 */
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Elysia } from 'elysia';
import { MAX_BODY_BYTES, NOT_JSON, parseJsonBody, UNSTORABLE } from './body';
import type { Settings } from './config';
import { databaseUnavailable, unstorableText } from './database-errors';
import {
  AppError,
  answer,
  DatabaseUnavailable,
  type ErrorFields,
  Invalid,
  MESSAGES,
  NotFound,
  PayloadTooLarge,
  RETRY_SHORTLY,
  UnexpectedError,
} from './errors';
import { logger, warnNowAndThen } from './logger';
import { alteredTarget } from './routes';
import { brokenTextRule, isBlank, type TextOptions } from './text';

/** The name of the field an error is about: the last non-index segment of its JSON path. */
function fieldOf(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  return segments.at(-1) ?? 'body';
}

function describe(issue: ValueError): string {
  const schema = issue.schema as Record<string, unknown>;
  if (typeof schema.error === 'string') return schema.error;
  if (issue.value === undefined) return MESSAGES.blank;
  switch (issue.type) {
    case ValueErrorType.Union:
      return describeUnion(issue);
    case ValueErrorType.ObjectRequiredProperty:
      return MESSAGES.blank;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? MESSAGES.blank : `is too short (minimum is ${schema.minLength} characters)`;
    case ValueErrorType.StringMaxLength:
      return `is too long (maximum is ${schema.maxLength} characters)`;
    case ValueErrorType.StringPattern:
      return typeof schema.patternHint === 'string' ? schema.patternHint : 'is invalid';
    case ValueErrorType.StringFormat:
      return typeof schema.formatHint === 'string' ? schema.formatHint : 'is invalid';
    case ValueErrorType.Kind:
      return describeText(issue);
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return 'must be a number';
    case ValueErrorType.NumberMinimum:
      return `must be greater than or equal to ${schema.minimum}`;
    case ValueErrorType.NumberMaximum:
      return `must be less than or equal to ${schema.maximum}`;
    case ValueErrorType.ArrayMaxItems:
      return `must have at most ${schema.maxItems} items`;
    case ValueErrorType.Array:
      return 'must be an array';
    case ValueErrorType.Object:
      return 'must be an object';
    default:
      return 'is invalid';
  }
}

/** A Text (./text) reports the rule it breaks as the string rule of the same meaning. */
function describeText(issue: ValueError): string {
  const broken = brokenTextRule(issue.schema as TextOptions, issue.value);
  if (broken === 'blank') return MESSAGES.blank;
  return broken === undefined ? 'is invalid' : describe({ ...issue, type: broken });
}

/** For `string | null` and the like, the string branch's complaint is the useful one. */
function describeUnion(issue: ValueError): string {
  for (const branch of issue.errors) {
    const first = branch.First();
    if (first && first.type !== ValueErrorType.Null) return describe(first);
  }
  return 'is invalid';
}

/**
 * One message per field: a missing field is reported as such, else the first problem found. In a
 * body, a blank value of a field that must be filled in (MUST_BE_FILLED) is "can't be blank",
 * whatever rule it failed (an email's format, a password's length): the contract's message for a
 * required field left empty.
 */
function validationFields(issues: readonly ValueError[], part: string): ErrorFields {
  const fields: ErrorFields = {};
  for (const issue of issues) {
    // Unknown properties are ignored, not refused; they only show up here beside a real problem.
    if (issue.type === ValueErrorType.ObjectAdditionalProperties) continue;
    const field = fieldOf(issue.path ?? '');
    const blank =
      part === 'body' &&
      (issue.schema as { mustBeFilled?: boolean }).mustBeFilled === true &&
      typeof issue.value === 'string' &&
      isBlank(issue.value);
    if (fields[field] === undefined || issue.type === ValueErrorType.ObjectRequiredProperty) {
      fields[field] = [blank ? MESSAGES.blank : describe(issue)];
    }
  }
  return Object.keys(fields).length > 0 ? fields : { body: ['is invalid'] };
}

/**
 * Drizzle puts a failed query's parameters (emails, password hashes) in its message: keep them out of
 * logs. `withStack` (development) keeps the stack's frames.
 */
export function loggable(error: unknown, { withStack }: { withStack: boolean }): Record<string, unknown> {
  if (!(error instanceof Error)) return { value: String(error) };
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = 'query' in error ? `query failed${cause}; query: ${error.query}` : `${error.message}${cause}`;
  // Stack traces help in development; in production they stay out of the logs too. Only the frames:
  // a failed query's own message lists its parameters (emails, password hashes).
  const frames = error.stack?.slice(Math.max(0, error.stack.indexOf('\n    at ')));
  return { type: error.name, message, ...(withStack && { stack: frames }) };
}

/**
 * The name of the field holding the first string in a request part that PostgreSQL cannot store as
 * text (a NUL character) or that is not valid Unicode (a lone surrogate).
 */
function firstUnstorableString(value: unknown, name = 'body'): string | undefined {
  if (typeof value === 'string') {
    return value.includes('\0') || !value.isWellFormed() ? name : undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstUnstorableString(item, name);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = firstUnstorableString(item, key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Shared request handling: the body size limit, refusal of altered targets and unstorable text, and
 * the one error hook that answers every error. Security headers are ./security-headers.ts's.
 */
export const httpPolicy = ({ production }: Pick<Settings, 'production'>) =>
  new Elysia({ name: 'http-policy' })
    .onRequest(({ request }) => {
      // A `.`/`..` segment or a backslash in the target as sent names no route, whatever it resolves to.
      if (alteredTarget(request)) throw new NotFound('route');
      const length = Number(request.headers.get('content-length') ?? 0);
      if (length > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
    })
    // Elysia passes the media type without its parameters ('' when the header is missing).
    .onParse({ as: 'global' }, ({ request }, contentType) => parseJsonBody(request, contentType))
    .onBeforeHandle({ as: 'global' }, ({ params, query, body }) => {
      const param = firstUnstorableString(params);
      if (param) throw new NotFound(param);
      const field = firstUnstorableString(query) ?? firstUnstorableString(body);
      if (field) throw new Invalid({ [field]: [UNSTORABLE] });
    })
    .onError({ as: 'global' }, ({ code, error, set }) => {
      // Elysia wraps what a parser throws (see parseJsonBody) in its own ParseError.
      const cause = code === 'PARSE' ? error.cause : undefined;
      if (cause instanceof AppError) return answer(cause, set);
      if (error instanceof AppError) return answer(error, set);
      switch (code) {
        case 'VALIDATION': {
          if (error.type === 'response') {
            // Our reply broke its own model: a bug on our side, never the client's. Log where, not the values.
            const broken = (error.all as ValueError[]).map(({ path, message }) => ({ path, message }));
            logger.error({ broken }, 'response does not match its model');
            return answer(new UnexpectedError(), set);
          }
          const fields = validationFields(error.all as ValueError[], error.type);
          if (error.type !== 'params') return answer(new Invalid(fields), set);
          // A path that cannot even be decoded names nothing that exists.
          const [first = 'route', ...others] = Object.keys(fields);
          return answer(new NotFound(first, ...others), set);
        }
        case 'PARSE':
          return answer(new Invalid({ body: [NOT_JSON] }), set);
        case 'NOT_FOUND':
          return answer(new NotFound('route'), set);
      }
      if (databaseUnavailable(error)) {
        // During an outage every request fails the same way: say so now and then, not per request.
        warnNowAndThen('database unavailable: answering 503', error);
        return answer(new DatabaseUnavailable(RETRY_SHORTLY.unavailable, 2), set);
      }
      if (unstorableText(error)) return answer(new Invalid({ body: [UNSTORABLE] }), set);
      logger.error({ error: loggable(error, { withStack: !production }) }, 'unhandled error');
      return answer(new UnexpectedError(), set);
    });
