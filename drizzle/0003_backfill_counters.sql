-- Custom SQL migration file, put your code below! --
-- A data migration (drizzle-kit generate --custom): fill the counters that 0002 created from the
-- articles and tags already in the database. From here on the articles repository keeps them.
INSERT INTO "tags" ("name", "article_count")
SELECT "tag", count(*)::int FROM "article_tags" GROUP BY "tag"
ON CONFLICT ("name") DO UPDATE SET "article_count" = excluded."article_count";
--> statement-breakpoint
INSERT INTO "article_totals" ("id", "articles")
SELECT true, count(*)::int FROM "articles"
ON CONFLICT ("id") DO UPDATE SET "articles" = excluded."articles";
