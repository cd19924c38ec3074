-- Custom SQL migration file, put your code below! --
-- A data migration (drizzle-kit generate --custom): count the articles each author already has into
-- author_totals, created by 0011. From here on the articles repository keeps the counts.
INSERT INTO "author_totals" ("author_id", "articles")
SELECT "author_id", count(*)::int FROM "articles" GROUP BY "author_id"
ON CONFLICT ("author_id") DO UPDATE SET "articles" = excluded."articles";
