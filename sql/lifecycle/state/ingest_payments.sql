-- Turns payment-feed rows that have arrived by $now into 'payment' events, once each
-- (external_id = 'payment:' || payment_id). Returns nothing; mark_payments_ingested.sql then
-- stamps them, so later runs look only at rows not yet ingested. (The NOT EXISTS guard covers
-- rows ingested before the stamp existed.)
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, amount, channel, source, external_id)
SELECT l.borrower_id, f.loan_id, 'payment', f.paid_at, f.amount, NULL, f.source, 'payment:' || f.payment_id
FROM payment_feed AS f
JOIN loans AS l USING (loan_id)
WHERE f.ingested_at IS NULL AND f.paid_at <= $now
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = 'payment:' || f.payment_id);
