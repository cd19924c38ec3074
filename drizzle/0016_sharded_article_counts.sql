CREATE TABLE "article_counts" (
	"shard" integer PRIMARY KEY NOT NULL,
	"articles" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "author_article_counts" (
	"author_id" integer NOT NULL,
	"shard" integer NOT NULL,
	"articles" integer NOT NULL,
	CONSTRAINT "author_article_counts_author_id_shard_pk" PRIMARY KEY("author_id","shard")
);
--> statement-breakpoint
CREATE TABLE "tag_article_counts" (
	"tag" text NOT NULL,
	"shard" integer NOT NULL,
	"articles" integer NOT NULL,
	CONSTRAINT "tag_article_counts_tag_shard_pk" PRIMARY KEY("tag","shard")
);
