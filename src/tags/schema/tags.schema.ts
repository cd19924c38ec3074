import { sql } from 'drizzle-orm';
import { pgView } from 'drizzle-orm/pg-core';
import { articleTags } from '../../articles/schema/article-tags.schema';

/**
 * A tag exists while at least one article carries it, so the tags feature owns no table:
 * it owns this view of the tags in use, with how many articles carry each.
 */
export const tagsInUse = pgView('tags_in_use').as((qb) =>
  qb
    .select({ tag: articleTags.tag, articleCount: sql<number>`count(*)::int`.as('article_count') })
    .from(articleTags)
    .groupBy(articleTags.tag),
);
