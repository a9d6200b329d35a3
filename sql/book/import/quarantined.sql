-- import_quarantined: the verdict on every line that is not loaded (line, entity, record_id, code,
-- reason): a line with a problem of its own, and every readable line of a bad borrower or loan,
-- cascading downwards (a bad borrower quarantines all its lines, a bad loan all of its installments).
-- A bad borrower is reported once, on its first bad line (entity borrower); its other lines are
-- its dependent installments ("borrower B1 quarantined: ..."). A bad loan of a good borrower alike.
-- Every other line of the file is loaded (import_loadable). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_quarantined AS
WITH touched AS (
    SELECT line FROM import_problem_lines
    UNION
    SELECT line FROM import_lines
    WHERE line_problem IS NULL AND borrower_id IN (SELECT borrower_id FROM import_bad_borrowers)
    UNION
    SELECT line FROM import_lines
    WHERE line_problem IS NULL AND loan_id IN (SELECT loan_id FROM import_bad_loans)
),
a AS (
    SELECT l.line, l.line_problem, l.borrower_id, l.loan_id, l.installment_no, l.installment_no_in,
           coalesce(p.problems, []) AS problems
    FROM touched
    JOIN import_lines AS l USING (line)
    LEFT JOIN import_problem_lines AS p USING (line)
),
verdict AS (
    SELECT a.*,
           CASE WHEN bb.root IS NULL OR a.line = bb.root_line
                THEN list_filter(a.problems, lambda p: p.entity = 'borrower') ELSE [] END AS own_b,
           CASE WHEN bb.root IS NULL AND (bl.root IS NULL OR a.line = bl.root_line)
                THEN list_filter(a.problems, lambda p: p.entity = 'loan') ELSE [] END AS own_l,
           list_filter(a.problems, lambda p: p.entity = 'installment') AS own_i,
           CASE WHEN bb.root IS NOT NULL AND a.line <> bb.root_line
                THEN 'borrower ' || a.borrower_id || ' quarantined: ' || bb.root END AS cascade_b,
           CASE WHEN bb.root IS NULL AND bl.root IS NOT NULL AND a.line <> bl.root_line
                THEN 'loan ' || a.loan_id || ' quarantined: ' || bl.root END AS cascade_l
    FROM a
    LEFT JOIN import_bad_borrowers AS bb ON bb.borrower_id = a.borrower_id AND a.line_problem IS NULL
    LEFT JOIN import_bad_loans AS bl ON bl.loan_id = a.loan_id AND a.line_problem IS NULL
)
SELECT line,
       CASE WHEN line_problem IS NOT NULL THEN 'installment'
            WHEN len(own_b) > 0 THEN 'borrower'
            WHEN len(own_l) > 0 THEN 'loan'
            ELSE 'installment' END AS entity,
       CASE WHEN line_problem IS NOT NULL THEN NULL
            WHEN len(own_b) > 0 THEN borrower_id
            WHEN len(own_l) > 0 THEN loan_id
            ELSE coalesce(loan_id, '?') || '#' || coalesce(installment_no::VARCHAR, installment_no_in, '?') END AS record_id,
       CASE WHEN line_problem IS NOT NULL THEN 'malformed_line'
            WHEN len(own_b) > 0 THEN own_b[1].code
            WHEN cascade_b IS NOT NULL THEN 'borrower_quarantined'
            WHEN len(own_l) > 0 THEN own_l[1].code
            WHEN cascade_l IS NOT NULL THEN 'loan_quarantined'
            ELSE own_i[1].code END AS code,
       nullif(array_to_string(
           list_filter([cascade_b, cascade_l], lambda s: s IS NOT NULL)
           || list_transform(own_b || own_l || own_i, lambda p: p.msg),
           '; '), '') AS reason
FROM verdict
WHERE len(problems) > 0 OR cascade_b IS NOT NULL OR cascade_l IS NOT NULL;
