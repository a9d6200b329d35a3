-- payment_events (temp view): every payment known, recorded ('payment' events) or arrived in the
-- feed and not recorded yet (unrecorded_payments), so a day can be decided without writing.
-- Rows ingested since unrecorded_payments was filled are counted once (anti-join on external_id).
-- Columns: event_id (NULL when not recorded yet), borrower_id, loan_id, occurred_at, amount.
CREATE OR REPLACE TEMP VIEW payment_events AS
SELECT event_id, borrower_id, loan_id, occurred_at, amount FROM borrower_events WHERE kind = 'payment'
UNION ALL
SELECT NULL::BIGINT, u.borrower_id, u.loan_id, u.occurred_at, u.amount
FROM unrecorded_payments AS u
WHERE NOT EXISTS (SELECT 1 FROM borrower_events AS e WHERE e.external_id = u.external_id);
