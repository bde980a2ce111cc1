-- Web Push and SMS (issue 13): where a message went on its channel, its link, and the push subscriptions.
ALTER TABLE `notifications` ADD `address` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `link` text;--> statement-breakpoint
DROP INDEX IF EXISTS `notifications_event_recipient_channel_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_delivery_unique` ON `notifications` (`event_id`,`template`,`recipient`,`channel`,`address`);--> statement-breakpoint
CREATE TABLE `push_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint` text NOT NULL,
	`p256dh` text NOT NULL,
	`auth` text NOT NULL,
	`audience` text NOT NULL,
	`scope` text NOT NULL,
	`customer_id` text,
	`order_id` text,
	`email` text NOT NULL,
	`created_at` integer NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX `push_subscriptions_endpoint_scope_unique` ON `push_subscriptions` (`endpoint`,`scope`);--> statement-breakpoint
CREATE INDEX `push_subscriptions_scope_idx` ON `push_subscriptions` (`scope`);
