DROP INDEX "article_tags_tag_article_idx";--> statement-breakpoint
ALTER TABLE "article_tags" ALTER COLUMN "article_created_at" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "article_tags_tag_created_idx" ON "article_tags" USING btree ("tag","article_created_at","article_id");