-- stale_loans (temp table): the loans derive_state derives from their payments this time
-- (derived_installments.sql), those whose stored installment state (state_installments, state_loans)
-- cannot stand for $now and $as_of:
--   a 'payment' event recorded after the stored state (event_id above state_watermark.through_event_id),
--   or dated after it (occurred_at after derived_at), up to $now;
--   a payment arrived in the feed and not recorded yet (unrecorded_payments);
--   a repayment plan kept on $as_of covers it (kept_loans), or covered it when stored (with_plan);
--   no stored row (a new loan, or one whose schedule the importer changed: it deletes its row);
--   every loan when state_basis.whole_book (no stored state stands for $now).
-- Everything else is as stored: a loan's installment state depends only on its payments (and on a
-- kept plan), never on the day. With $pending_only, only the loans of pending_scope.
CREATE OR REPLACE TEMP TABLE stale_loans AS
WITH w AS (
    SELECT w.derived_at, w.through_event_id FROM state_watermark AS w, state_basis AS b WHERE NOT b.whole_book
),
counts AS (   -- every loan has its stored row unless the counts differ (loans are never deleted)
    SELECT (SELECT count(*) FROM loans) <> (SELECT count(*) FROM state_loans) AS some_missing
),
changed AS (
    SELECT e.loan_id FROM borrower_events AS e, w
    WHERE e.kind = 'payment' AND e.occurred_at <= $now
      AND (e.event_id > w.through_event_id OR e.occurred_at > w.derived_at)
    UNION ALL
    SELECT u.loan_id FROM unrecorded_payments AS u, w
    UNION ALL
    SELECT k.loan_id FROM kept_loans AS k, w
    UNION ALL
    SELECT s.loan_id FROM state_loans AS s, w WHERE s.with_plan
    UNION ALL
    SELECT l.loan_id FROM loans AS l, w, counts
    WHERE counts.some_missing AND NOT EXISTS (SELECT 1 FROM state_loans AS s WHERE s.loan_id = l.loan_id)
    UNION ALL
    SELECT l.loan_id FROM loans AS l, state_basis AS b WHERE b.whole_book
)
SELECT DISTINCT loan_id FROM changed
WHERE loan_id IS NOT NULL
  AND (NOT $pending_only OR loan_id IN (SELECT loan_id FROM pending_scope));
