import { index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tags } from '../../tags/schema/tags.schema';
import { articles } from './articles.schema';

/** The tags on each article. The key lists an article's tags; the index finds a tag's articles. */
export const articleTags = pgTable(
  'article_tags',
  {
    articleId: integer()
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tag: text()
      .notNull()
      .references(() => tags.name),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tag] }),
    index('article_tags_tag_article_idx').on(table.tag, table.articleId),
  ],
);
