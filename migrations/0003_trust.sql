CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `orders` ADD `number` integer;--> statement-breakpoint
UPDATE `orders` SET `number` = 1000 + (SELECT COUNT(*) FROM `orders` AS o2 WHERE o2.`created_at` < `orders`.`created_at` OR (o2.`created_at` = `orders`.`created_at` AND o2.`id` <= `orders`.`id`));--> statement-breakpoint
INSERT INTO `counters` (`name`, `value`) SELECT 'order_number', COALESCE(MAX(`number`), 1000) FROM `orders`;--> statement-breakpoint
CREATE UNIQUE INDEX `orders_number_unique` ON `orders` (`number`);
