-- paused_promise: the borrower promised to pay by a date; ladder steps wait until the day after
-- it (a broken promise is then followed up by the broken_promise step); so does the notice that
-- announces a visit (visit_notice).
-- Why: design note: chasing a borrower who just promised to pay is harassment and undoes the
-- promise. Audit: promise_pause.
SELECT g.idempotency_key, 'paused_promise' AS reason
FROM gate_subjects AS g
WHERE (g.purpose = 'escalation' OR g.step = 'visit_notice') AND g.planned_for_date <= g.promised_until + 1;
