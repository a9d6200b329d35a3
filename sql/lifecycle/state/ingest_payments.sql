-- Turns the payment-feed rows of unrecorded_payments (arrived by $now, not yet events) into
-- 'payment' events, once each (external_id = 'payment:' || payment_id; unrecorded_payments.sql
-- leaves out those already recorded, and the column is UNIQUE). Returns nothing;
-- mark_payments_ingested.sql then stamps them, so later runs look only at rows not yet ingested.
INSERT INTO borrower_events (borrower_id, loan_id, kind, occurred_at, amount, channel, source, external_id)
SELECT u.borrower_id, u.loan_id, 'payment', u.occurred_at, u.amount, NULL, u.source, u.external_id
FROM unrecorded_payments AS u;
