-- Sales rollup (src/services/sales-rollup.ts): one fact row per event that moves sales, keyed by the event id, so a
-- redelivered event is ignored (INSERT OR IGNORE). The triggers fold each new fact into its local hour and day, so
-- the overview reads a few hundred rollup rows instead of scanning orders. Hand-written: drizzle does not model triggers.
CREATE TABLE `sales_facts` (
	`event_id` text PRIMARY KEY NOT NULL,
	`day` text NOT NULL,
	`hour` integer NOT NULL,
	`currency` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`gross_cents` integer DEFAULT 0 NOT NULL,
	`refund_cents` integer DEFAULT 0 NOT NULL,
	`cancellations` integer DEFAULT 0 NOT NULL,
	`occurred_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sales_hourly` (
	`day` text NOT NULL,
	`hour` integer NOT NULL,
	`currency` text NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`gross_cents` integer DEFAULT 0 NOT NULL,
	`refund_cents` integer DEFAULT 0 NOT NULL,
	`cancellations` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `hour`, `currency`)
);
--> statement-breakpoint
CREATE TRIGGER `sales_facts_rollup` AFTER INSERT ON `sales_facts`
BEGIN
	INSERT INTO `sales_hourly` (`day`, `hour`, `currency`, `orders`, `gross_cents`, `refund_cents`, `cancellations`)
	VALUES (NEW.`day`, NEW.`hour`, NEW.`currency`, NEW.`orders`, NEW.`gross_cents`, NEW.`refund_cents`, NEW.`cancellations`)
	ON CONFLICT (`day`, `hour`, `currency`) DO UPDATE SET
		`orders` = `orders` + excluded.`orders`,
		`gross_cents` = `gross_cents` + excluded.`gross_cents`,
		`refund_cents` = `refund_cents` + excluded.`refund_cents`,
		`cancellations` = `cancellations` + excluded.`cancellations`;
END;
--> statement-breakpoint
CREATE TABLE `sales_product_facts` (
	`event_id` text NOT NULL,
	`sku` text NOT NULL,
	`day` text NOT NULL,
	`currency` text NOT NULL,
	`qty` integer NOT NULL,
	`revenue_cents` integer NOT NULL,
	PRIMARY KEY(`event_id`, `sku`)
);
--> statement-breakpoint
CREATE TABLE `sales_products_daily` (
	`day` text NOT NULL,
	`sku` text NOT NULL,
	`currency` text NOT NULL,
	`qty` integer DEFAULT 0 NOT NULL,
	`revenue_cents` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `sku`, `currency`)
);
--> statement-breakpoint
CREATE TRIGGER `sales_product_facts_rollup` AFTER INSERT ON `sales_product_facts`
BEGIN
	INSERT INTO `sales_products_daily` (`day`, `sku`, `currency`, `qty`, `revenue_cents`)
	VALUES (NEW.`day`, NEW.`sku`, NEW.`currency`, NEW.`qty`, NEW.`revenue_cents`)
	ON CONFLICT (`day`, `sku`, `currency`) DO UPDATE SET
		`qty` = `qty` + excluded.`qty`,
		`revenue_cents` = `revenue_cents` + excluded.`revenue_cents`;
END;
--> statement-breakpoint
-- Dead letters: which subscriber failed and how, and what staff did about it (replayed or discarded, by whom, why).
CREATE TABLE `event_failures` (
	`event_id` text PRIMARY KEY NOT NULL,
	`subscribers` text NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `subscribers` text;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `last_error` text;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `status` text DEFAULT 'open' NOT NULL;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `resolved_at` integer;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `resolved_by` text;--> statement-breakpoint
ALTER TABLE `dead_letters` ADD `note` text;--> statement-breakpoint
CREATE INDEX `dead_letters_status_idx` ON `dead_letters` (`status`,`received_at`);
