-- awaiting_reoffer: the latest plan accepted on the loan broke (arrangement_state status 'broken').
-- The ladder (and a visit's notice) waits until that plan's arrangement_reoffer contact was taken on an
-- earlier day (step_taken: planned or sent, or could never be made) AND reoffer_wait_days
-- (cfg_arrangements) passed since it; a new plan accepted (or asked for: arrangement_active) in
-- between ends the wait while it is pending or running; one declined ends nothing (the re-offer still
-- goes: reoffer_candidates.sql, and the wait runs from it). Then the ladder resumes at the step after the last one taken
-- (ladder_next.sql), never the one today's days past due would call for.
-- Why: issue 15: a missed plan payment gets a kind reminder (no offer); a broken plan gets a re-offer
-- before the ladder resumes.
-- Audit: reoffer_before_resume (and arrangement_no_jump for where it resumes).
WITH latest AS (   -- per covered loan, the latest plan accepted (decided active) by $now
    SELECT l.loan_id, arg_max(s.arrangement_id, s.decided_at) AS arrangement_id
    FROM arrangement_state AS s, unnest(s.loan_ids) AS l(loan_id)
    WHERE s.status IN ('active', 'broken', 'kept')
    GROUP BY l.loan_id
),
broken AS (
    SELECT x.loan_id, s.loan_id AS plan_loan_id, s.broken_on
    FROM latest AS x JOIN arrangement_state AS s USING (arrangement_id)
    WHERE s.status = 'broken'
)
SELECT g.idempotency_key, 'awaiting_reoffer' AS reason
FROM gate_subjects AS g
JOIN broken AS b ON b.loan_id = g.loan_id
WHERE (g.purpose = 'escalation' OR g.step = 'visit_notice')
  AND NOT EXISTS (
      SELECT 1 FROM contact_attempts AS r, cfg_arrangements AS c
      WHERE r.loan_id = b.plan_loan_id AND r.step = 'arrangement_reoffer'
        AND r.planned_for_date >= b.broken_on AND r.planned_for_date < g.planned_for_date
        AND step_taken(r.status, r.suppressed_reason)
        AND g.planned_for_date >= r.planned_for_date + c.reoffer_wait_days);
