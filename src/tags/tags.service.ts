import type { ReadCache, Shared } from '../core/read-cache';
import type { TagsRepository } from './tags.repository';

/** Enough for any tag cloud; docs/api.md documents the cap. */
const MAX_TAGS = 500;

/** The tag list, over `tags`, kept in `cache` (it is the same for everyone). */
export function tagsService(tags: TagsRepository, cache: ReadCache) {
  /** The tags in use, most used first. */
  function popularTags(): Promise<Shared<{ tags: string[] }>> {
    return cache.remember('tags', ['lists'], async (readFrom) => ({
      body: { tags: await tags.findPopularTags(MAX_TAGS, { readFrom }) },
    }));
  }

  return { popularTags };
}

export type TagsService = ReturnType<typeof tagsService>;
