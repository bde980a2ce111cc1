-- Back in stock by Web Push (issue 13): a request is told by e-mail or on one device. A push request's
-- `endpoint` is its device (the push subscription itself is stored scoped `bis:<request id>`); e-mail
-- requests keep ''. One waiting request per (SKU, e-mail, device).
ALTER TABLE `back_in_stock_requests` ADD `channel` text DEFAULT 'email' NOT NULL;--> statement-breakpoint
ALTER TABLE `back_in_stock_requests` ADD `endpoint` text DEFAULT '' NOT NULL;--> statement-breakpoint
DROP INDEX IF EXISTS `back_in_stock_waiting_unique`;--> statement-breakpoint
CREATE UNIQUE INDEX `back_in_stock_waiting_unique` ON `back_in_stock_requests` (`sku`,`email`,`endpoint`) WHERE status = 'waiting';
