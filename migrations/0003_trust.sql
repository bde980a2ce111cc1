CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `number` integer;--> statement-breakpoint
UPDATE `orders` SET `number` = 1000 + (SELECT COUNT(*) FROM `orders` AS o2 WHERE o2.`created_at` < `orders`.`created_at` OR (o2.`created_at` = `orders`.`created_at` AND o2.`id` <= `orders`.`id`));--> statement-breakpoint
INSERT INTO `counters` (`name`, `value`) SELECT 'order_number', COALESCE(MAX(`number`), 1000) FROM `orders`;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_number_unique` ON `orders` (`number`);
--> statement-breakpoint
CREATE TABLE `credit_notes` (
	`id` text PRIMARY KEY NOT NULL,
	`number` integer NOT NULL,
	`refund_id` text NOT NULL,
	`order_id` text NOT NULL,
	`invoice_id` text,
	`invoice_number` integer,
	`customer_id` text,
	`email` text NOT NULL,
	`lines` text NOT NULL,
	`amount_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`restocked` integer DEFAULT false NOT NULL,
	`issued_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_number_unique` ON `credit_notes` (`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `credit_notes_refund_unique` ON `credit_notes` (`refund_id`);--> statement-breakpoint
CREATE INDEX `credit_notes_order_idx` ON `credit_notes` (`order_id`,`number`);
