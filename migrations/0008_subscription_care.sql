-- Subscription care (issues 12 and 13): where the box ships, the card on file's label, a skipped month, the
-- renewal notice already sent, and a renewal held by the fraud check for staff review.
ALTER TABLE `subscriptions` ADD `shipping_address` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `method_label` text;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `skipped_from` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `notice_sent_for` integer;--> statement-breakpoint
ALTER TABLE `subscriptions` ADD `renewal_review` text;
