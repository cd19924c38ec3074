import { findPopularTags } from './tags.repository';

/** Enough for any tag cloud; docs/api.md documents the cap. */
const MAX_TAGS = 500;

/** The tags in use, most used first. */
export function popularTags(): Promise<string[]> {
  return findPopularTags(MAX_TAGS);
}
