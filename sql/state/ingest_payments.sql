-- Turns payment-feed rows that have arrived by $now into 'payment' events (once each).
-- Returns nothing; re-running adds nothing (external_id = 'payment:' || payment_id).
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, amount, channel, source, external_id)
SELECT l.borrower_id, f.loan_id, 'payment', f.paid_at, f.amount, NULL, f.source, 'payment:' || f.payment_id
FROM payment_feed AS f
JOIN loans AS l USING (loan_id)
WHERE f.paid_at <= $now
  AND NOT EXISTS (
      SELECT 1 FROM borrower_events AS e WHERE e.external_id = 'payment:' || f.payment_id
  );
