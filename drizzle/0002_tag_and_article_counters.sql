CREATE TABLE "article_totals" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"articles" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "article_totals_single_row" CHECK ("article_totals"."id")
);
--> statement-breakpoint
CREATE TABLE "tags" (
	"name" text PRIMARY KEY NOT NULL,
	"article_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP VIEW "public"."tags_in_use";--> statement-breakpoint
CREATE INDEX "tags_popular_idx" ON "tags" USING btree ("article_count" DESC NULLS FIRST,"name");