-- kept_loans (temp table): per loan, the latest repayment plan kept on $as_of that covered it
-- (arrangement_state, status 'kept'; arrangement_loans): arrangement_id, decided_at, settled_from,
-- kept_at. Such a loan's installment state depends on the plan and so on the day: it is derived
-- again every day (stale_loans.sql), and derived_installments.sql settles what the plan absorbed.
CREATE OR REPLACE TEMP TABLE kept_loans AS
SELECT l.loan_id, arg_max(s.arrangement_id, s.kept_on) AS arrangement_id,
       arg_max(s.decided_at, s.kept_on) AS decided_at, arg_max(s.settled_from, s.kept_on) AS settled_from,
       arg_max(s.kept_at, s.kept_on) AS kept_at
FROM arrangement_state AS s JOIN arrangement_loans AS l USING (arrangement_id)
WHERE s.status = 'kept'
GROUP BY l.loan_id;
