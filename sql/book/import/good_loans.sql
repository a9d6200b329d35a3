-- import_good_loans: one row per loan of the file whose borrower and own terms are clean. Returns nothing.
CREATE OR REPLACE TEMP TABLE import_good_loans AS
SELECT loan_id,
       arg_min(borrower_id, line) AS borrower_id,
       arg_min(product, line)     AS product,
       arg_min(principal, line)   AS principal,
       arg_min(currency, line)    AS currency,
       arg_min(opened_on, line)   AS opened_on
FROM import_resolved
WHERE line_problem IS NULL AND loan_id IS NOT NULL AND borrower_id IS NOT NULL AND NOT loan_bad
GROUP BY loan_id;
