CREATE TABLE `session_sockets` (
	`session_hash` text NOT NULL,
	`customer_id` text NOT NULL,
	`target` text NOT NULL,
	`opened_at` integer NOT NULL,
	PRIMARY KEY(`session_hash`, `target`)
);
--> statement-breakpoint
CREATE INDEX `session_sockets_customer_idx` ON `session_sockets` (`customer_id`);
