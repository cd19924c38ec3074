/**
 * Slug policy: a readable, URL-safe slug from the title, and when it is taken (or is the name of a
 * route), the same with a short random suffix. The database's unique index decides what is taken.
 */

const MAX_BASE_LENGTH = 100;
const SUFFIX_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** Attempts before giving up: with 36^6 suffixes, a second collision is already vanishingly rare. */
const MAX_ATTEMPTS = 8;

/** Lower case, accents folded, every run of other characters turned into one hyphen, trimmed. */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/^-+|-+$/g, '');
  // A title of only symbols or non-Latin script still needs a slug.
  return slug || 'article';
}

/**
 * The static path segments under /api/articles/: an article with one of these slugs would be
 * shadowed by its route (`GET /api/articles/feed` is the feed). articles.slug.test.ts checks this
 * list against the app's routes.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set(['feed']);

function randomSuffix(length = 6): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length]).join('');
}

/** The slugs to try, in order, for a title: the plain one first (unless reserved), then suffixed ones. */
export function* slugCandidates(title: string): Generator<string> {
  const base = slugify(title);
  if (!RESERVED_SLUGS.has(base)) yield base;
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++) yield `${base}-${randomSuffix()}`;
}
