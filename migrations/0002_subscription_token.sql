ALTER TABLE `subscriptions` ADD `payment_token` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `failed_payments` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `last_attempt_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `subscriptions_customer_plan_live_unique` ON `subscriptions` (`customer_id`,`plan_id`) WHERE status <> 'cancelled';