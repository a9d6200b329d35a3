-- import_installment_repeats: each installment (loan_id, installment_no) on more than one readable
-- line: its first line and whether the lines differ in due date or amounts (differ). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_installment_repeats AS
SELECT loan_id, installment_no, min(line) AS first_line, min(sig) <> max(sig) AS differ
FROM (SELECT loan_id, installment_no, line, hash(due_date, amount_due, amount_paid, paid_at) AS sig
      FROM import_lines
      WHERE line_problem IS NULL AND loan_id IS NOT NULL AND installment_no IS NOT NULL)
GROUP BY loan_id, installment_no
HAVING count(*) > 1;
