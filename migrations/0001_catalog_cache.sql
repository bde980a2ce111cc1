CREATE TABLE `cache_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `cache_tags` ADD `cached_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `cache_tags_cached_idx` ON `cache_tags` (`cached_at`);