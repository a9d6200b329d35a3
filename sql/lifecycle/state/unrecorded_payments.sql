-- unrecorded_payments: payment-feed rows that have arrived by $now and are not 'payment' events
-- yet (external_id = 'payment:' || payment_id), as the events they become (and their payment_id).
-- Deciding a day reads them through payment_events without writing them; recording the day
-- (ingest_payments.sql) turns exactly these into events, mark_payments_ingested.sql stamps them.
CREATE OR REPLACE TEMP TABLE unrecorded_payments AS
SELECT l.borrower_id, f.loan_id, f.paid_at AS occurred_at, f.amount, f.source, 'payment:' || f.payment_id AS external_id,
       f.payment_id
FROM payment_feed AS f
JOIN loans AS l USING (loan_id)
WHERE f.ingested_at IS NULL AND f.paid_at <= $now
  -- the event a feed row became carries its paid_at: matching on it too lets DuckDB skip the log's
  -- row groups dated outside the arrived rows (else every run reads every external_id ever recorded)
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.external_id = 'payment:' || f.payment_id AND e.occurred_at = f.paid_at);
