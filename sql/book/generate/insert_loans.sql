-- Writes syn_loans into loans (created_at = opened_on, UTC midnight). Returns the count.
INSERT INTO loans (loan_id, borrower_id, product, principal, currency, opened_on, created_at)
SELECT loan_id, borrower_id, product, principal, currency, opened_on, opened_on::TIMESTAMPTZ
FROM syn_loans ORDER BY j;
