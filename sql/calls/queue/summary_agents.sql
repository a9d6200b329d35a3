-- Plan day $as_of by agent shift: each shift the day's calls fill (agent, its local work date,
-- team), the calls of this day in it, all calls in it (any plan day: capacity is per shift), its
-- capacity, and its first and last slot (UTC). Ids only.
WITH day AS (
    SELECT agent_id, work_date, count(*)::INTEGER AS calls, min(slot_start) AS first_slot,
           max(slot_start) AS last_slot
    FROM call_assignments
    WHERE plan_date = $as_of::DATE AND outcome = 'assigned' AND agent_id IS NOT NULL
    GROUP BY ALL
), used AS (
    SELECT agent_id, work_date, count(*)::INTEGER AS used
    FROM call_assignments WHERE outcome = 'assigned' AND agent_id IS NOT NULL GROUP BY ALL
)
SELECT d.agent_id, s.team, d.work_date, d.calls, u.used AS capacity_used, s.capacity,
       d.first_slot, d.last_slot
FROM day d
JOIN used u USING (agent_id, work_date)
LEFT JOIN agent_days s USING (agent_id, work_date)
ORDER BY s.team, d.agent_id, d.work_date;
