import type { TagsRepository } from './tags.repository';

/** Enough for any tag cloud; docs/api.md documents the cap. */
const MAX_TAGS = 500;

/** The tag list, over `tags`. */
export function tagsService(tags: TagsRepository) {
  /** The tags in use, most used first. */
  function popularTags(): Promise<string[]> {
    return tags.findPopularTags(MAX_TAGS);
  }

  return { popularTags };
}

export type TagsService = ReturnType<typeof tagsService>;
