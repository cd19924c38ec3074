/** The `limit` and `offset` query parameters that every list takes, and the page they ask for. */
import { t } from 'elysia';

/** The largest page any list serves: with the input limits, it bounds what one reply can weigh. */
export const MAX_PAGE_SIZE = 100;
const MAX_OFFSET = 999_999_999;

/**
 * A list's paging parameters, for its query model (`t.Object({ ...pagingQuery(...), tag })`). They
 * arrive as query-string text; their ranges are spelled as patterns so that a bad value is
 * reported under its own name (Elysia's numeric coercion loses the field name).
 */
export function pagingQuery({ items, defaultLimit }: { items: string; defaultLimit: number }) {
  return {
    limit: t.Optional(
      t.String({
        pattern: '^(?:[1-9][0-9]?|100)$', // 1 to MAX_PAGE_SIZE
        patternHint: `must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
        description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${defaultLimit})`,
      }),
    ),
    offset: t.Optional(
      t.String({
        pattern: '^[0-9]{1,9}$', // 0 to MAX_OFFSET
        patternHint: `must be a whole number from 0 to ${MAX_OFFSET}`,
        description: `${items} to skip (default 0)`,
      }),
    ),
  };
}

/** Which slice of a list a page is: `limit` items after the first `offset`. */
export interface PageRange {
  limit: number;
  offset: number;
}

/** The page that validated paging parameters ask for. */
export function pageOf(query: { limit?: string; offset?: string }, defaultLimit: number): PageRange {
  return { limit: query.limit ? Number(query.limit) : defaultLimit, offset: query.offset ? Number(query.offset) : 0 };
}

/** The page after one that showed `shown` items, unless its offset would be out of range. */
export function nextPage({ limit, offset }: PageRange, shown: number): PageRange | undefined {
  return offset + shown <= MAX_OFFSET ? { limit, offset: offset + shown } : undefined;
}
