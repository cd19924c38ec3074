/** TypeBox building blocks that every feature's models share. */
import { type IntegerOptions, Type } from '@sinclair/typebox';
import { t } from 'elysia';
import { MESSAGES, type Resource } from './errors';
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
const ErrorsBody = t.Object({ errors: t.Record(t.String(), t.Array(t.String())) });

/** What a feature's error answers name, for their descriptions at /docs (generic where left out). */
export interface ErrorExamples {
  /** The resources its 403s name. */
  forbidden?: Resource[];
  /** The resources its 404s name. */
  notFound?: Resource[];
  /** The fields its 409s name: values that must be unique. */
  unique?: string[];
  /** A field its 422s name, and the message (else "can't be blank"). */
  invalid?: [field: string, message?: string];
}

/** An errors body as a description shows it: `{"article" | "comment": ["not found"]}`. */
function shown(keys: readonly string[], message: string): string {
  return `\`{"${keys.join('" | "')}": ["${message}"]}\``;
}

function errorDescriptions({ forbidden, notFound, unique, invalid }: ErrorExamples) {
  const [field = '<field>', message = MESSAGES.blank] = invalid ?? [];
  return {
    401: 'No token (`{"token": ["is missing"]}`), an unusable one (`{"token": ["invalid"]}`), or wrong credentials (`{"credentials": ["invalid"]}`)',
    403: `The resource belongs to someone else: ${shown(forbidden ?? ['<resource>'], MESSAGES.forbidden)}`,
    404: `The named resource does not exist: ${shown(notFound ?? ['<resource>'], MESSAGES.notFound)}`,
    409: `A value that must be unique is already in use: ${shown(unique ?? ['<field>'], MESSAGES.taken)}`,
    422: `The request's content is not acceptable, by field: ${shown([field], message)}`,
  } as const;
}

type ErrorStatus = keyof ReturnType<typeof errorDescriptions>;

/**
 * The error answers of a feature's routes, for their `response` maps: the feature makes its own
 * (`const errorResponses = errorResponsesFor({ notFound: ['article'] })`) and each route lists its
 * statuses (`{ 200: Article, ...errorResponses(401, 404) }`): documented at /docs with their
 * meaning, and checked by Elysia like every other response.
 */
export function errorResponsesFor(examples: ErrorExamples) {
  const descriptions = errorDescriptions(examples);
  return <const S extends ErrorStatus>(...statuses: S[]) =>
    Object.fromEntries(
      statuses.map((status) => [status, t.Object(ErrorsBody.properties, { description: descriptions[status] })]),
    ) as { [K in S]: typeof ErrorsBody };
}
