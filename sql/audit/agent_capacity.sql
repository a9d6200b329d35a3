-- agent_capacity: Did any agent get more work on a shift than its capacity, or two calls at once?
-- Capacity is per agent and work date (agent_days: the shift as first recorded, whichever plan
-- days filled it); the work counted is every call assigned to that shift (call_assignments
-- 'assigned') and every visit it goes on (visit_assignments 'assigned': a visit is one unit of
-- each agent of its pair).
-- Why: issue 16: calls are assigned up to capacity and carried beyond it, never piled on an agent;
-- an agent makes one call at a time.
-- Checked: every recorded agent shift (agent_days).
-- Violation: more calls than capacity on the shift; two of the agent's slots overlap in time.
CREATE OR REPLACE TEMP TABLE audit_rows AS
WITH work AS (
    SELECT attempt_id AS work_id, agent_id, work_date, slot_start, slot_end
    FROM call_assignments WHERE outcome = 'assigned'
    UNION ALL
    SELECT v.attempt_id, unnest(v.agent_ids), v.work_date, v.slot_start, v.slot_end
    FROM visit_assignments AS v WHERE v.outcome = 'assigned'
),
per_shift AS (
    SELECT agent_id, work_date, count(*) AS assigned FROM work GROUP BY agent_id, work_date
),
overlapping AS (
    SELECT w1.agent_id, w1.work_date, count(*) AS overlapping
    FROM work AS w1
    JOIN work AS w2 ON w2.agent_id = w1.agent_id AND w2.work_date = w1.work_date AND w2.work_id <> w1.work_id
     AND w2.slot_start < w1.slot_end AND w2.slot_end > w1.slot_start
    GROUP BY w1.agent_id, w1.work_date
)
SELECT d.agent_id, d.work_date, d.capacity, coalesce(p.assigned, 0) AS assigned,
       coalesce(o.overlapping, 0) AS overlapping_slots,
       CASE WHEN coalesce(p.assigned, 0) > d.capacity
            THEN coalesce(p.assigned, 0) || ' calls and visits on a shift of capacity ' || d.capacity
            WHEN coalesce(o.overlapping, 0) > 0
            THEN o.overlapping || ' slots of the agent overlap another of its slots'
       END AS violation
FROM agent_days AS d
LEFT JOIN per_shift AS p USING (agent_id, work_date)
LEFT JOIN overlapping AS o USING (agent_id, work_date);
