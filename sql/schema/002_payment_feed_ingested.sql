-- Databases made before payment_feed.ingested_at existed get the column (idempotent).
ALTER TABLE payment_feed ADD COLUMN IF NOT EXISTS ingested_at TIMESTAMPTZ;
