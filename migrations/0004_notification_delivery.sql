-- Delivery state per message (issue 13): status, attempts, backoff, provider id, HTML part and headers.
ALTER TABLE `notifications` ADD `html` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `headers` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `status` text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `notifications` ADD `next_attempt_at` integer;--> statement-breakpoint
ALTER TABLE `notifications` ADD `provider_id` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `notifications` ADD `sent_at` integer;--> statement-breakpoint
-- Rows written before this migration were the message itself (the outbox channel): they count as sent.
UPDATE `notifications` SET `status` = 'sent', `attempts` = 1, `sent_at` = `created_at`;--> statement-breakpoint
DROP INDEX IF EXISTS `notifications_event_template_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_event_recipient_channel_unique` ON `notifications` (`event_id`,`template`,`recipient`,`channel`);--> statement-breakpoint
CREATE INDEX `notifications_due_idx` ON `notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `back_in_stock_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`sku` text NOT NULL,
	`email` text NOT NULL,
	`customer_id` text,
	`status` text DEFAULT 'waiting' NOT NULL,
	`created_at` integer NOT NULL,
	`notified_at` integer
);--> statement-breakpoint
CREATE UNIQUE INDEX `back_in_stock_waiting_unique` ON `back_in_stock_requests` (`sku`,`email`) WHERE status = 'waiting';--> statement-breakpoint
CREATE INDEX `back_in_stock_sku_idx` ON `back_in_stock_requests` (`sku`,`status`,`created_at`);
--> statement-breakpoint
-- Subscription care: pause/resume (status 'paused') and the billing anchor a resume moves.
ALTER TABLE `subscriptions` ADD `billing_anchor` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `paused_at` integer;
--> statement-breakpoint
-- Preferences per kind and channel; one-click unsubscribe writes here.
ALTER TABLE `notifications` ADD `kind` text DEFAULT 'order' NOT NULL;--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`recipient` text NOT NULL,
	`kind` text NOT NULL,
	`channel` text NOT NULL,
	`enabled` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`recipient`, `kind`, `channel`)
);
