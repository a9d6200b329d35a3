-- import_bad_loans: each loan with a loan problem on any readable line, its first such line
-- (root_line) and up to 3 distinct problems with their first lines (root), which its installments
-- are quarantined with. Returns nothing.
CREATE OR REPLACE TEMP TABLE import_bad_loans AS
SELECT loan_id, min(first_line) AS root_line,
       array_to_string(list(msg || ' (line ' || first_line || ')' ORDER BY first_line, msg)[1:3], '; ') AS root
FROM (SELECT loan_id, p.msg AS msg, min(line) AS first_line
      FROM (SELECT line, loan_id, unnest(problems) AS p FROM import_problem_lines WHERE line_problem IS NULL)
      WHERE p.entity = 'loan' AND loan_id IS NOT NULL
      GROUP BY loan_id, p.msg)
GROUP BY loan_id;
