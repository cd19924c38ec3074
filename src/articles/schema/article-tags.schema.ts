import { index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tags } from '../../tags/schema/tags.schema';
import { articles } from './articles.schema';

/** The tags on each article. The key lists an article's tags; the index lists a tag's articles by recency. */
export const articleTags = pgTable(
  'article_tags',
  {
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tag: text()
      .notNull()
      .references(() => tags.name),
    /** A copy of the article's (immutable) creation time, so a tag's articles come in order from the index. */
    articleCreatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tag] }),
    // A tag's articles, most recent first: the first rows of this index (read backwards) are the
    // page, for a tag on every article as for a tag on one, without sorting.
    index('article_tags_tag_created_idx').on(table.tag, table.articleCreatedAt, table.articleId),
  ],
);
