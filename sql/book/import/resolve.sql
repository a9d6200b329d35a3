-- import_resolved: one row per line with its verdict. Adds the problems seen only across lines
-- (a borrower whose attributes differ between lines, a loan with two borrowers or differing terms,
-- a loan owned by another borrower in the database, the same installment twice) and cascades
-- downwards: a bad borrower quarantines all its lines, a bad loan all of its installments.
-- Columns: the typed values of import_checked, plus borrower_bad, loan_bad, quarantined,
-- entity / record_id / code / reason (for quarantined lines). Returns nothing.
CREATE OR REPLACE TEMP TABLE import_resolved AS
WITH clean AS (
    SELECT * FROM import_checked WHERE line_problem IS NULL
),
b_variants AS (   -- borrowers whose lines do not all agree (rare: the column-by-column look is only for them)
    SELECT borrower_id
    FROM clean WHERE borrower_id IS NOT NULL
    GROUP BY borrower_id
    HAVING count(DISTINCT hash(full_name, first_name, coalesce(phone_e164, phone_in), email, language,
                               timezone, address_timezone, city, district, jurisdiction, segment)) > 1
),
b_conf AS (
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
    FROM clean WHERE borrower_id IN (SELECT borrower_id FROM b_variants)
    GROUP BY borrower_id
),
l_two AS (
    SELECT loan_id, list(DISTINCT borrower_id ORDER BY borrower_id) AS owners
    FROM clean WHERE loan_id IS NOT NULL AND borrower_id IS NOT NULL
    GROUP BY loan_id HAVING min(borrower_id) <> max(borrower_id)
),
l_variants AS (
    SELECT loan_id
    FROM clean WHERE loan_id IS NOT NULL
    GROUP BY loan_id
    HAVING count(DISTINCT hash(product, principal, currency, opened_on)) > 1
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
    FROM clean WHERE loan_id IN (SELECT loan_id FROM l_variants)
    GROUP BY loan_id
),
l_owner AS (
    SELECT l.loan_id, l.borrower_id AS db_owner
    FROM loans AS l
    WHERE l.loan_id IN (SELECT loan_id FROM clean)
),
i_dup AS (
    SELECT loan_id, installment_no, min(line) AS first_line, list(line ORDER BY line) AS lines,
           count(DISTINCT hash(due_date, amount_due, amount_paid, paid_at)) AS variants
    FROM clean WHERE loan_id IS NOT NULL AND installment_no IS NOT NULL
    GROUP BY loan_id, installment_no HAVING count(*) > 1
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
               CASE WHEN d.variants > 1 THEN
                   {'code': 'duplicate_installment', 'entity': 'installment',
                    'msg': 'installment ' || c.loan_id || '#' || c.installment_no || ' appears on lines '
                           || array_to_string(d.lines[1:5], ', ') || ' with different values'}
                    WHEN d.first_line IS NOT NULL AND c.line <> d.first_line THEN
                   {'code': 'duplicate_installment', 'entity': 'installment',
                    'msg': 'installment ' || c.loan_id || '#' || c.installment_no
                           || ' repeats line ' || d.first_line} END
           ], lambda p: p IS NOT NULL) AS problems
    FROM clean AS c
    LEFT JOIN b_conf AS bc ON bc.borrower_id = c.borrower_id
    LEFT JOIN l_two AS lt ON lt.loan_id = c.loan_id
    LEFT JOIN l_conf AS lc ON lc.loan_id = c.loan_id
    LEFT JOIN l_owner AS lo ON lo.loan_id = c.loan_id
    LEFT JOIN i_dup AS d ON d.loan_id = c.loan_id AND d.installment_no = c.installment_no
),
all_p AS (
    SELECT c.* REPLACE (c.problems || coalesce(x.problems, []) AS problems)
    FROM import_checked AS c
    LEFT JOIN cross_p AS x USING (line)
),
flat AS (
    SELECT line, borrower_id, loan_id, unnest(problems) AS p
    FROM all_p WHERE line_problem IS NULL
),
bad_b AS (   -- each bad borrower: the first line showing a problem, and up to 3 distinct problems
    SELECT borrower_id, min(first_line) AS root_line,
           array_to_string(list(msg || ' (line ' || first_line || ')' ORDER BY first_line, msg)[1:3], '; ') AS root
    FROM (SELECT borrower_id, p.msg AS msg, min(line) AS first_line
          FROM flat WHERE p.entity = 'borrower' AND borrower_id IS NOT NULL
          GROUP BY borrower_id, p.msg)
    GROUP BY borrower_id
),
bad_l AS (   -- each bad loan, alike
    SELECT loan_id, min(first_line) AS root_line,
           array_to_string(list(msg || ' (line ' || first_line || ')' ORDER BY first_line, msg)[1:3], '; ') AS root
    FROM (SELECT loan_id, p.msg AS msg, min(line) AS first_line
          FROM flat WHERE p.entity = 'loan' AND loan_id IS NOT NULL
          GROUP BY loan_id, p.msg)
    GROUP BY loan_id
),
verdict AS (
    -- A bad borrower is reported once, on its first bad line (entity borrower); its other lines are
    -- its dependent installments ("borrower B1 quarantined: ..."). A bad loan of a good borrower alike.
    SELECT a.*,
           bb.root IS NOT NULL AS borrower_bad,
           bb.root IS NOT NULL OR bl.root IS NOT NULL AS loan_bad,
           CASE WHEN bb.root IS NULL OR a.line = bb.root_line
                THEN list_filter(a.problems, lambda p: p.entity = 'borrower') ELSE [] END AS own_b,
           CASE WHEN bb.root IS NULL AND (bl.root IS NULL OR a.line = bl.root_line)
                THEN list_filter(a.problems, lambda p: p.entity = 'loan') ELSE [] END AS own_l,
           list_filter(a.problems, lambda p: p.entity = 'installment') AS own_i,
           CASE WHEN bb.root IS NOT NULL AND a.line <> bb.root_line
                THEN 'borrower ' || a.borrower_id || ' quarantined: ' || bb.root END AS cascade_b,
           CASE WHEN bb.root IS NULL AND bl.root IS NOT NULL AND a.line <> bl.root_line
                THEN 'loan ' || a.loan_id || ' quarantined: ' || bl.root END AS cascade_l
    FROM all_p AS a
    LEFT JOIN bad_b AS bb ON bb.borrower_id = a.borrower_id AND a.line_problem IS NULL
    LEFT JOIN bad_l AS bl ON bl.loan_id = a.loan_id AND a.line_problem IS NULL
)
SELECT line, line_problem, borrower_id, full_name, first_name, phone_e164, email, language, timezone,
       timezone_source, address_timezone, city, district, jurisdiction, segment, loan_id, product, principal, currency, opened_on, installment_no, due_date,
       amount_due, amount_paid, paid_at,
       coalesce(borrower_bad, false) AS borrower_bad,
       coalesce(loan_bad, false) AS loan_bad,
       len(problems) > 0 OR cascade_b IS NOT NULL OR cascade_l IS NOT NULL AS quarantined,
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
FROM verdict;
