-- pending_scope (temp table): with $pending_only (the re-check before send), the (loan_id, borrower_id)
-- of every contact still to go whose window has opened (of local day $day when given), and of every
-- call a dialer may still dial (assigned, dial_until ahead: re-judged, sql/policy/recheck/held_calls.sql);
-- empty without $pending_only. The installment state (by loan) and the point routes (by borrower) of
-- the re-check are derived for these only: all it needs, and a fraction of the book.
CREATE OR REPLACE TEMP TABLE pending_scope AS
SELECT DISTINCT loan_id, borrower_id FROM contact_attempts
WHERE $pending_only AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
  AND ((status = 'planned' AND send_after <= $now)
       OR (channel = 'call' AND status IN ('planned', 'sent')       -- a call a dialer may still dial
           AND attempt_id IN (SELECT attempt_id FROM call_assignments WHERE outcome = 'assigned' AND dial_until > $now)));
