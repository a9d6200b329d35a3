-- import_problem_lines: every line with a problem, of its own (lines.sql) or seen only across lines:
-- a borrower whose attributes differ between lines, a loan with two borrowers or differing terms, a
-- loan the database files under another borrower, the same installment twice. Lines without any
-- problem are not here (in a good file: none), so the messages are built for the few lines that
-- need them; the keys tables (borrower_keys, loan_keys, installment_repeats) say which. Columns:
-- line, line_problem, borrower_id, loan_id, problems (own first, then across lines). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_problem_lines AS
WITH b_conf AS (
    SELECT borrower_id,
           list_filter([
               CASE WHEN count(DISTINCT coalesce(full_name, '')) > 1 THEN 'full_name' END,
               CASE WHEN count(DISTINCT coalesce(first_name, '')) > 1 THEN 'first_name' END,
               CASE WHEN count(DISTINCT coalesce(phone_e164, phone_in, '')) > 1 THEN 'phone_e164' END,
               CASE WHEN count(DISTINCT coalesce(email, '')) > 1 THEN 'email' END,
               CASE WHEN count(DISTINCT coalesce(language, '')) > 1 THEN 'language' END,
               CASE WHEN count(DISTINCT coalesce(timezone, '')) > 1 THEN 'timezone' END,
               CASE WHEN count(DISTINCT coalesce(address_timezone, '')) > 1 THEN 'address_timezone' END,
               CASE WHEN count(DISTINCT coalesce(city, '')) > 1 THEN 'city' END,
               CASE WHEN count(DISTINCT coalesce(district, '')) > 1 THEN 'district' END,
               CASE WHEN count(DISTINCT jurisdiction) > 1 THEN 'jurisdiction' END,
               CASE WHEN count(DISTINCT segment) > 1 THEN 'segment' END
           ], lambda x: x IS NOT NULL) AS cols,
           list(line ORDER BY line) AS lines
    FROM import_lines
    WHERE line_problem IS NULL
      AND borrower_id IN (SELECT borrower_id FROM import_borrower_keys WHERE conflicting)
    GROUP BY borrower_id
),
l_two AS (
    SELECT loan_id, list(DISTINCT borrower_id ORDER BY borrower_id) AS owners
    FROM import_lines
    WHERE line_problem IS NULL AND borrower_id IS NOT NULL
      AND loan_id IN (SELECT loan_id FROM import_loan_keys WHERE min_owner <> max_owner)
    GROUP BY loan_id
),
l_conf AS (
    SELECT loan_id,
           list_filter([
               CASE WHEN count(DISTINCT coalesce(product, '')) > 1 THEN 'product' END,
               CASE WHEN count(DISTINCT coalesce(principal::VARCHAR, '')) > 1 THEN 'principal' END,
               CASE WHEN count(DISTINCT coalesce(currency, '')) > 1 THEN 'currency' END,
               CASE WHEN count(DISTINCT coalesce(opened_on::VARCHAR, '')) > 1 THEN 'opened_on' END
           ], lambda x: x IS NOT NULL) AS cols,
           list(line ORDER BY line) AS lines
    FROM import_lines
    WHERE line_problem IS NULL
      AND loan_id IN (SELECT loan_id FROM import_loan_keys WHERE conflicting)
    GROUP BY loan_id
),
l_owner AS (   -- loans the database files under a borrower some line does not name
    SELECT loan_id, db_owner FROM import_loan_keys WHERE db_owner <> min_owner OR db_owner <> max_owner
),
i_dup AS (
    SELECT r.loan_id, r.installment_no, r.first_line, r.differ, list(l.line ORDER BY l.line) AS lines
    FROM import_installment_repeats AS r
    JOIN import_lines AS l USING (loan_id, installment_no)
    WHERE l.line_problem IS NULL
    GROUP BY ALL
),
cross_p AS (
    SELECT c.line,
           list_filter([
               CASE WHEN bc.borrower_id IS NOT NULL THEN
                   {'code': 'conflicting_borrower', 'entity': 'borrower',
                    'msg': 'borrower ' || c.borrower_id || ' has different ' || array_to_string(bc.cols, ', ')
                           || ' on lines ' || array_to_string(bc.lines[1:5], ', ')
                           || CASE WHEN len(bc.lines) > 5 THEN ', ...' ELSE '' END} END,
               CASE WHEN lt.loan_id IS NOT NULL THEN
                   {'code': 'loan_two_borrowers', 'entity': 'loan',
                    'msg': 'loan ' || c.loan_id || ' belongs to more than one borrower ('
                           || array_to_string(lt.owners[1:5], ', ') || ')'} END,
               CASE WHEN lc.loan_id IS NOT NULL THEN
                   {'code': 'conflicting_loan', 'entity': 'loan',
                    'msg': 'loan ' || c.loan_id || ' has different ' || array_to_string(lc.cols, ', ')
                           || ' on lines ' || array_to_string(lc.lines[1:5], ', ')
                           || CASE WHEN len(lc.lines) > 5 THEN ', ...' ELSE '' END} END,
               CASE WHEN lo.db_owner IS NOT NULL AND lo.db_owner <> c.borrower_id THEN
                   {'code': 'loan_owner_changed', 'entity': 'loan',
                    'msg': 'loan ' || c.loan_id || ' already belongs to borrower ' || lo.db_owner
                           || ', not ' || c.borrower_id} END,
               CASE WHEN d.differ THEN
                   {'code': 'duplicate_installment', 'entity': 'installment',
                    'msg': 'installment ' || c.loan_id || '#' || c.installment_no || ' appears on lines '
                           || array_to_string(d.lines[1:5], ', ') || ' with different values'}
                    WHEN d.first_line IS NOT NULL AND c.line <> d.first_line THEN
                   {'code': 'duplicate_installment', 'entity': 'installment',
                    'msg': 'installment ' || c.loan_id || '#' || c.installment_no
                           || ' repeats line ' || d.first_line} END
           ], lambda p: p IS NOT NULL) AS problems
    FROM import_lines AS c
    LEFT JOIN b_conf AS bc ON bc.borrower_id = c.borrower_id
    LEFT JOIN l_two AS lt ON lt.loan_id = c.loan_id
    LEFT JOIN l_conf AS lc ON lc.loan_id = c.loan_id
    LEFT JOIN l_owner AS lo ON lo.loan_id = c.loan_id
    LEFT JOIN i_dup AS d ON d.loan_id = c.loan_id AND d.installment_no = c.installment_no
    WHERE c.line_problem IS NULL
      AND (bc.borrower_id IS NOT NULL OR lt.loan_id IS NOT NULL OR lc.loan_id IS NOT NULL
           OR lo.loan_id IS NOT NULL OR d.loan_id IS NOT NULL)
)
SELECT l.line, l.line_problem, l.borrower_id, l.loan_id,
       coalesce(l.problems, []) || coalesce(x.problems, []) AS problems
FROM import_lines AS l
LEFT JOIN cross_p AS x USING (line)
WHERE l.problems IS NOT NULL OR len(x.problems) > 0;
