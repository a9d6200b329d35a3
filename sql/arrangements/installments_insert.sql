-- Records plan installments (registered _arr_installments), each (plan, number) once. Returns nothing.
INSERT INTO arrangement_installments
SELECT r.arrangement_id, r.installment_no, r.due_date, r.amount FROM _arr_installments AS r
WHERE NOT EXISTS (SELECT 1 FROM arrangement_installments AS a
                  WHERE a.arrangement_id = r.arrangement_id AND a.installment_no = r.installment_no);
