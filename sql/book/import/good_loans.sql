-- import_good_loans: one row per loan of the file whose borrower and own terms are clean, with the
-- values of its first line naming its borrower (the terms are equal on all its lines, and it has one
-- borrower, else it was quarantined). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_good_loans AS
SELECT l.loan_id, l.borrower_id, l.product, l.principal, l.currency, l.opened_on
FROM import_loan_keys AS k
JOIN import_lines AS l ON l.line = k.first_line
WHERE k.loan_id NOT IN (SELECT loan_id FROM import_bad_loans)
  AND l.borrower_id NOT IN (SELECT borrower_id FROM import_bad_borrowers);
