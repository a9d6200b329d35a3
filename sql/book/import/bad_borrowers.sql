-- import_bad_borrowers: each borrower with a borrower problem on any readable line, its first such
-- line (root_line) and up to 3 distinct problems with their first lines (root), which its other
-- lines are quarantined with. Returns nothing.
CREATE OR REPLACE TEMP TABLE import_bad_borrowers AS
SELECT borrower_id, min(first_line) AS root_line,
       array_to_string(list(msg || ' (line ' || first_line || ')' ORDER BY first_line, msg)[1:3], '; ') AS root
FROM (SELECT borrower_id, p.msg AS msg, min(line) AS first_line
      FROM (SELECT line, borrower_id, unnest(problems) AS p FROM import_problem_lines WHERE line_problem IS NULL)
      WHERE p.entity = 'borrower' AND borrower_id IS NOT NULL
      GROUP BY borrower_id, p.msg)
GROUP BY borrower_id;
