-- installment_state (temp view): every installment as of $now (derived_installments.sql says how),
-- one row each: loan_id, borrower_id, installment_no, due_date, amount_due, paid_amount, outstanding,
-- settled_at, by_plan. The loans derived this time (derived_installments) and, unless the whole book
-- was derived (state_basis.whole_book), the stored rows of every other loan (state_installments:
-- their payments have not changed since they were stored, and nothing else moves them).
-- A view, not a copy: the stored rows stay in the database file (read where a statement needs them)
-- instead of a second whole-book table in memory every day. The re-check before send reads
-- pending_installment_state.sql instead (its scope only).
CREATE OR REPLACE TEMP VIEW installment_state AS
SELECT s.loan_id, s.borrower_id, s.installment_no, s.due_date, s.amount_due, s.paid_amount, s.outstanding,
       s.settled_at, s.by_plan
FROM state_installments AS s, state_basis AS b
WHERE NOT b.whole_book
  AND NOT EXISTS (SELECT 1 FROM stale_loans AS x WHERE x.loan_id = s.loan_id)
UNION ALL
SELECT loan_id, borrower_id, installment_no, due_date, amount_due, paid_amount, outstanding, settled_at, by_plan
FROM derived_installments;
