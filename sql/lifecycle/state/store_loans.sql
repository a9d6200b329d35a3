-- Stores one state_loans row for every loan derived this time (every loan when the whole book was,
-- else stale_loans), those without an unpaid installment included (NULL, NULL, 0), so that a loan
-- without a row is one never derived (stale_loans.sql): its summary from loan_state, with_plan when
-- a kept plan covers it (kept_loans). Nothing unless state_basis.store. Returns nothing.
-- Part of store_state (record's transaction), after forget_stale_loans.sql.
INSERT INTO state_loans (loan_id, borrower_id, oldest_unpaid_no, oldest_unpaid_due, outstanding_total, with_plan)
SELECT l.loan_id, l.borrower_id, s.oldest_unpaid_no, s.oldest_unpaid_due, coalesce(s.outstanding_total, 0),
       k.loan_id IS NOT NULL
FROM loans AS l
LEFT JOIN loan_state AS s USING (loan_id)
LEFT JOIN kept_loans AS k USING (loan_id)
WHERE (SELECT store FROM state_basis)
  AND l.loan_id IN (SELECT loan_id FROM stale_loans);
