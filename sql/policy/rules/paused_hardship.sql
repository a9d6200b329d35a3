-- paused_hardship: the borrower asked for help (hardship request) on this loan; ladder steps
-- pause for follow_ups.hardship_pause_days local days from the request ($hardship_pause_days), and so
-- does the notice announcing a visit (visit_notice).
-- Why: design note: a borrower in hardship is offered a plan, not chased (UK FCA CONC 7.3:
-- forbearance and due consideration).
-- Audit: hardship_pause.
SELECT g.idempotency_key, 'paused_hardship' AS reason
FROM gate_subjects AS g
WHERE (g.purpose = 'escalation' OR g.step = 'visit_notice')   -- a visit is not announced in a pause
  AND g.planned_for_date <= g.hardship_requested_on + $hardship_pause_days::INTEGER;
