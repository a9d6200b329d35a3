-- Inserts the file's clean loans that are not in the database yet. Returns the number inserted.
INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on, created_at)
SELECT g.loan_id, g.borrower_id, g.product, g.principal, g.currency, g.opened_on, $now
FROM import_good_loans AS g
WHERE NOT EXISTS (SELECT 1 FROM loans AS l WHERE l.loan_id = g.loan_id);
