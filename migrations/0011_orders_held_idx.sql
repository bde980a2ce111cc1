-- The console overview's held orders (count, oldest since) from an index alone: by orders_status_idx each held
-- order's row was read for its updated_at (bench/README.md, round eleven).
CREATE INDEX `orders_status_updated_idx` ON `orders` (`status`,`updated_at`);