-- The repayment plans that covered each case's loan (arrangement_loans): option, kind, months, status,
-- when asked for and decided, by whom (an id), its dates. Oldest first.
SELECT d.case_id, r.arrangement_id, r.option_id, r.kind, r.months, r.status, r.source, r.requested_at,
       r.decided_at, r.decided_by, r.starts_on, r.ends_on, c.arrears
FROM handoff_export_due AS d
JOIN arrangement_loans AS c USING (loan_id)
JOIN arrangements AS r USING (arrangement_id)
ORDER BY d.case_id, r.requested_at, r.arrangement_id;
