-- installment_state (temp view) for the re-check before send ($pending_only): as installment_state.sql,
-- for the loans of pending_scope only (those derived this time, derived_installments, and the stored
-- rows of the others of the scope).
CREATE OR REPLACE TEMP VIEW installment_state AS
SELECT s.loan_id, s.borrower_id, s.installment_no, s.due_date, s.amount_due, s.paid_amount, s.outstanding,
       s.settled_at, s.by_plan
FROM state_installments AS s, state_basis AS b
WHERE NOT b.whole_book
  AND s.loan_id IN (SELECT loan_id FROM pending_scope)
  AND NOT EXISTS (SELECT 1 FROM stale_loans AS x WHERE x.loan_id = s.loan_id)
UNION ALL
SELECT loan_id, borrower_id, installment_no, due_date, amount_due, paid_amount, outstanding, settled_at, by_plan
FROM derived_installments;
