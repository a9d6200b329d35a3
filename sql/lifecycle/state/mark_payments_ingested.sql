-- Stamps the payment-feed rows ingest_payments.sql just turned into events (unrecorded_payments,
-- same transaction), so later runs look only at rows not yet ingested. Only those: a row that
-- arrived since unrecorded_payments was filled waits, unstamped, for the next run to record it.
UPDATE payment_feed
SET ingested_at = $now
WHERE ingested_at IS NULL AND paid_at <= $now
  AND payment_id IN (SELECT payment_id FROM unrecorded_payments);
