import { findPopularTags } from './tags.repository';

/** Enough for any tag cloud; the README documents the cap. */
export const MAX_TAGS = 500;

export function popularTags(): Promise<string[]> {
  return findPopularTags(MAX_TAGS);
}
