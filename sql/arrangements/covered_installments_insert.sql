-- The installments a plan absorbs (registered _arr_covered: arrangement_id, loan_id, installment_no,
-- outstanding) into arrangement_covered_installments, each key once (a replay adds nothing).
-- Returns nothing.
INSERT INTO arrangement_covered_installments
SELECT DISTINCT c.arrangement_id, c.loan_id, c.installment_no, c.outstanding
FROM _arr_covered AS c
WHERE NOT EXISTS (SELECT 1 FROM arrangement_covered_installments AS x
                  WHERE x.arrangement_id = c.arrangement_id AND x.loan_id = c.loan_id
                    AND x.installment_no = c.installment_no);
