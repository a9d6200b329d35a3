-- Empties unrecorded_payments once ingest_payments.sql has recorded its rows as events (same step),
-- so payment_events, which reads both, counts each payment once. Returns nothing.
DELETE FROM unrecorded_payments;
