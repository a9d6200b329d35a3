-- Records today's call assignments (day_call_assignments: every call the policy let through,
-- assigned with its agent and slot, or carried with its reason) in call_assignments, for the
-- calls recorded in contact_attempts (same transaction, policy/record_decisions.sql first).
-- Anti-join on attempt_id: a replayed or resumed day writes nothing twice. Returns nothing.
INSERT INTO call_assignments (attempt_id, plan_date, borrower_id, loan_id, step, team, agent_id, work_date,
                              slot_start, slot_end, queue_rank, priority_score, priority_reasons,
                              required_skills, carried_days, outcome, reason, max_dials, dial_until, recorded_at)
SELECT c.attempt_id, c.plan_date, c.borrower_id, c.loan_id, c.step, c.team, c.agent_id, c.work_date,
       c.slot_start, c.slot_end, c.queue_rank, c.priority_score, c.priority_reasons,
       c.required_skills, c.carried_days, c.outcome, c.reason, c.max_dials, c.dial_until, $recorded_at
FROM day_call_assignments AS c
WHERE EXISTS (SELECT 1 FROM contact_attempts AS a WHERE a.attempt_id = c.attempt_id)
  AND NOT EXISTS (SELECT 1 FROM call_assignments AS x WHERE x.attempt_id = c.attempt_id);
