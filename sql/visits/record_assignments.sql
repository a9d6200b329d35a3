-- Records the day's visit plan (temp table day_visit_plan) in visit_assignments, inside the plan's
-- record transaction: one row per visit the policy let through, assigned to a pair with its slot
-- or carried with its reason. Anti-join on attempt_id: a replayed day records nothing new.
-- Returns nothing.
INSERT INTO visit_assignments (attempt_id, plan_date, borrower_id, loan_id, city, district, route_order,
                               agent_ids, work_date, slot_start, slot_end, carried_days, outcome, reason,
                               recorded_at)
SELECT p.attempt_id, $as_of::DATE, p.borrower_id, p.loan_id, p.city, p.district, p.route_order,
       p.agent_ids, p.work_date, p.slot_start, p.slot_end, p.carried_days, p.outcome, p.reason, $recorded_at
FROM day_visit_plan AS p
WHERE NOT EXISTS (SELECT 1 FROM visit_assignments AS v WHERE v.attempt_id = p.attempt_id);
