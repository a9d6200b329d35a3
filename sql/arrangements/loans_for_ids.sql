-- The loans an agent's records name (registered _plan_keys.k: loan_ids), with borrower and time zone.
SELECT l.loan_id, l.borrower_id, b.timezone
FROM loans AS l JOIN borrowers AS b USING (borrower_id)
WHERE l.loan_id IN (SELECT k FROM _plan_keys);
