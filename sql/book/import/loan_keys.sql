-- import_loan_keys: one row per loan of the file, over its lines that could be read: the first line
-- naming a borrower (a good loan is loaded from it), the least and greatest borrower named (two
-- differ: the loan belongs to more than one), whether the lines disagree on the loan's terms
-- (conflicting), and the borrower the database already files it under (db_owner). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_loan_keys AS
SELECT k.*, l.borrower_id AS db_owner
FROM (SELECT loan_id,
             min(line) FILTER (WHERE borrower_id IS NOT NULL) AS first_line,
             min(borrower_id) AS min_owner,
             max(borrower_id) AS max_owner,
             min(sig) <> max(sig) AS conflicting
      FROM (SELECT loan_id, borrower_id, line, hash(product, principal, currency, opened_on) AS sig
            FROM import_lines
            WHERE line_problem IS NULL AND loan_id IS NOT NULL)
      GROUP BY loan_id) AS k
LEFT JOIN loans AS l USING (loan_id);
