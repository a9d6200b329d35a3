-- Records the loans new plans cover (registered _arr_loans), each (plan, loan) once. Returns nothing.
INSERT INTO arrangement_loans
SELECT r.arrangement_id, r.loan_id, r.arrears FROM _arr_loans AS r
WHERE NOT EXISTS (SELECT 1 FROM arrangement_loans AS a WHERE a.arrangement_id = r.arrangement_id AND a.loan_id = r.loan_id);
