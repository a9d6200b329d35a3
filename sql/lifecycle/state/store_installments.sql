-- Stores the installment state derived this time (derived_installments) in state_installments, after
-- forget_stale_installments.sql removed what it replaces; nothing unless state_basis.store.
-- Returns nothing. Part of store_state (record's transaction).
INSERT INTO state_installments (loan_id, borrower_id, installment_no, due_date, amount_due, paid_amount,
                                outstanding, settled_at, by_plan)
SELECT d.loan_id, d.borrower_id, d.installment_no, d.due_date, d.amount_due, d.paid_amount, d.outstanding,
       d.settled_at, d.by_plan
FROM derived_installments AS d
WHERE (SELECT store FROM state_basis);
