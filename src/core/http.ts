/**
 * The single place where errors become HTTP responses. Every error body has the
 * RealWorld shape `{"errors": {"<field>": ["<message>"]}}`; nothing else (no HTML,
 * no stack traces) ever reaches a client.
 */
import { type ValueError, ValueErrorType } from '@sinclair/typebox/errors';
import { Elysia } from 'elysia';
import { AppError, type ErrorFields } from './errors';

/** The name of the field an error is about: the last non-index segment of its JSON path. */
function fieldOf(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && !/^\d+$/.test(segment));
  return segments.at(-1) ?? 'body';
}

function describe(issue: ValueError): string {
  const schema = issue.schema as Record<string, unknown>;
  if (typeof schema.error === 'string') return schema.error;
  if (issue.value === undefined) return "can't be blank";
  switch (issue.type) {
    case ValueErrorType.Union:
      return describeUnion(issue);
    case ValueErrorType.ObjectRequiredProperty:
      return "can't be blank";
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? "can't be blank" : `is too short (minimum is ${schema.minLength} characters)`;
    case ValueErrorType.StringMaxLength:
      return `is too long (maximum is ${schema.maxLength} characters)`;
    case ValueErrorType.StringPattern:
      return typeof schema.patternHint === 'string' ? schema.patternHint : 'is invalid';
    case ValueErrorType.StringFormat:
      return 'is invalid';
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

/** For `string | null` and the like, the string branch's complaint is the useful one. */
function describeUnion(issue: ValueError): string {
  for (const branch of issue.errors) {
    const first = branch.First();
    if (first && first.type !== ValueErrorType.Null) return describe(first);
  }
  return 'is invalid';
}

/** One message per field: a missing field is reported as such, else the first problem found. */
export function validationFields(issues: readonly ValueError[]): ErrorFields {
  const fields: ErrorFields = {};
  for (const issue of issues) {
    // Unknown properties are ignored, not refused; they only show up here beside a real problem.
    if (issue.type === ValueErrorType.ObjectAdditionalProperties) continue;
    const field = fieldOf(issue.path ?? '');
    if (fields[field] === undefined || issue.type === ValueErrorType.ObjectRequiredProperty) {
      fields[field] = [describe(issue)];
    }
  }
  return Object.keys(fields).length > 0 ? fields : { body: ['is invalid'] };
}

/** Drizzle puts a failed query's parameters (emails, password hashes) in its message: keep them out of logs. */
function withoutQueryParameters(error: unknown): unknown {
  if (error instanceof Error && 'query' in error) return { query: error.query, cause: error.cause };
  return error;
}

function errorResponse(status: number, fields: ErrorFields): Response {
  return Response.json({ errors: fields }, { status });
}

export const httpErrors = new Elysia({ name: 'http-errors' }).onError({ as: 'global' }, ({ code, error }) => {
  if (error instanceof AppError) return errorResponse(error.status, error.fields);
  switch (code) {
    case 'VALIDATION':
      return errorResponse(422, validationFields(error.all as ValueError[]));
    case 'PARSE':
      return errorResponse(422, { body: ['is not valid JSON'] });
    case 'NOT_FOUND':
      return errorResponse(404, { route: ['not found'] });
  }
  console.error('Unhandled error:', withoutQueryParameters(error));
  return errorResponse(500, { server: ['an unexpected error occurred'] });
});
