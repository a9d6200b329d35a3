-- payment_events (temp view): every payment known, recorded ('payment' events) or arrived in the
-- feed and not recorded yet (unrecorded_payments), so a day can be decided without writing.
-- Counted once: recording them (loan_comms/policy/engine.py ingest_payments) empties
-- unrecorded_payments in the same step (forget_unrecorded.sql).
-- Columns: event_id (NULL when not recorded yet), borrower_id, loan_id, occurred_at, amount.
CREATE OR REPLACE TEMP VIEW payment_events AS
SELECT event_id, borrower_id, loan_id, occurred_at, amount FROM borrower_events WHERE kind = 'payment'
UNION ALL
SELECT NULL::BIGINT, u.borrower_id, u.loan_id, u.occurred_at, u.amount
FROM unrecorded_payments AS u;
