-- Custom SQL migration file, put your code below! --
-- A data migration (drizzle-kit generate --custom): copy each article's creation time onto its tag
-- links, added by 0005. From here on the articles repository writes it with every link.
UPDATE "article_tags" SET "article_created_at" = "articles"."created_at"
FROM "articles" WHERE "articles"."id" = "article_tags"."article_id" AND "article_tags"."article_created_at" IS NULL;
