import { popularTagsJson } from './tags.repository';

/** Enough for any tag cloud; docs/api.md documents the cap. */
const MAX_TAGS = 500;

/** `{"tags": [...]}` as JSON text, most used first. */
export function popularTags(): Promise<string> {
  return popularTagsJson(MAX_TAGS);
}
