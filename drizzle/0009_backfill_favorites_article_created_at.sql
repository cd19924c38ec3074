-- Custom SQL migration file, put your code below! --
-- A data migration (drizzle-kit generate --custom): copy each favorited article's creation time
-- onto its favorites, added by 0008. From here on the articles repository writes it with every favorite.
UPDATE "favorites" SET "article_created_at" = "articles"."created_at"
FROM "articles" WHERE "articles"."id" = "favorites"."article_id" AND "favorites"."article_created_at" IS NULL;
