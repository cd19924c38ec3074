/** TypeBox building blocks that every feature's models share. */
import { type IntegerOptions, Type } from '@sinclair/typebox';
import { t } from 'elysia';
import { Text, type TextOptions } from './text';

/**
 * Marks a string field the client must fill in: whatever rule a blank value there breaks (a format,
 * a length, a pattern), src/core/http.ts reports it as the contract's "can't be blank". Fields that
 * may be blank (bio, image) do not carry it.
 */
export const MUST_BE_FILLED = { mustBeFilled: true } as const;

/**
 * Text a request must fill in: it needs a visible character ("", whitespace, a zero-width space, a
 * Hangul filler are blank; see ./text).
 */
export function RequiredText(options: TextOptions = {}) {
  return Text({ minLength: 1, notBlank: true, ...MUST_BE_FILLED, ...options });
}

/**
 * A whole number in a response. TypeBox's own integer, not Elysia's `t.Integer`, which also accepts
 * numeric strings (right for query strings, wrong for replies: a count that came back from SQL as a
 * string would pass the check and reach clients as "3").
 */
export function ResponseInteger(options: IntegerOptions = {}) {
  return Type.Integer(options);
}

/** Every error body: `{"errors": {"<key>": ["<message>", ...]}}`. */
export const ErrorsBody = t.Object(
  { errors: t.Record(t.String(), t.Array(t.String())) },
  { examples: [{ errors: { title: ["can't be blank"] } }] },
);

/** What each error status means, for the API documentation. */
const ERROR_DESCRIPTIONS = {
  401: 'No token (`{"token": ["is missing"]}`), an unusable one (`{"token": ["invalid"]}`), or wrong credentials (`{"credentials": ["invalid"]}`)',
  403: 'The resource belongs to someone else: `{"article": ["forbidden"]}` or `{"comment": ["forbidden"]}`',
  404: 'The named resource does not exist: `{"article" | "comment" | "profile": ["not found"]}`',
  409: 'An email or username that is already taken: `{"email": ["has already been taken"]}`',
  422: `The request's content is not acceptable, by field: \`{"title": ["can't be blank"]}\``,
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * The error answers a route gives, for its `response` map (`{ 200: Article, ...errorResponses(401, 404) }`):
 * documented at /docs with their meaning, and checked by Elysia like every other response.
 */
export function errorResponses<const S extends ErrorStatus>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, t.Object(ErrorsBody.properties, { description: ERROR_DESCRIPTIONS[status] })]),
  ) as { [K in S]: typeof ErrorsBody };
}
