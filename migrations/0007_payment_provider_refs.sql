CREATE TABLE `payment_provider_refs` (
	`payment_id` text PRIMARY KEY NOT NULL,
	`order_id` text,
	`provider` text NOT NULL,
	`provider_ref` text NOT NULL,
	`created_at` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `payment_provider_refs_ref_unique` ON `payment_provider_refs` (`provider`,`provider_ref`);
