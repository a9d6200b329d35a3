-- Forgets the stored installment state (state_loans, sql/schema/110_state_incremental.sql) of every
-- loan whose schedule this file changes: an installment new to the database, or one whose due date or
-- amount differs. Such a loan has no stored row then, so the next day derives it again from its
-- payments (sql/lifecycle/state/stale_loans.sql). Runs before update_installments / insert_installments,
-- in the import's transaction, over the same loaded lines (import_loadable.sql). Returns the number of
-- loans forgotten.
DELETE FROM state_loans
WHERE loan_id IN (
    SELECT r.loan_id
    FROM import_loadable AS r
    LEFT JOIN installments AS i ON i.loan_id = r.loan_id AND i.installment_no = r.installment_no
    WHERE i.loan_id IS NULL OR i.due_date IS DISTINCT FROM r.due_date OR i.amount_due IS DISTINCT FROM r.amount_due);
