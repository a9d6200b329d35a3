-- Clears the ingested stamp of the feed rows the plans of $start and later recorded (ingested_at >=
-- $from_now, the first replayed plan's instant). Returns nothing.
UPDATE payment_feed SET ingested_at = NULL WHERE ingested_at >= $from_now;
