-- Stamps the payment-feed rows ingest_payments.sql just turned into events (same transaction).
UPDATE payment_feed
SET ingested_at = $now
WHERE ingested_at IS NULL AND paid_at <= $now
  AND loan_id IN (SELECT loan_id FROM loans);
