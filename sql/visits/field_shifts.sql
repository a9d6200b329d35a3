-- The field agents' shifts a visit of $as_of can use: every agent with the skill 'field' working
-- on a local date around the plan day (agent_shifts: as_of-1 .. as_of+1), the shift and capacity
-- as first recorded in agent_days when a plan already used it (first recorded wins), else as the
-- roster says today; with the units already used on that work date (visits assigned to the agent
-- in visit_assignments, calls in call_assignments: a unit is a unit, whichever plan day filled it)
-- and the partner the agent already went out with that work date (a pair stays a pair for the day).
-- Why: capacity is per agent and work date (sql/schema/100_collectors.sql); a pair's day is one round.
WITH shifts AS (
    SELECT s.agent_id, s.work_date,
           coalesce(ad.shift_start, s.shift_start) AS shift_start,
           coalesce(ad.shift_end, s.shift_end) AS shift_end,
           coalesce(ad.capacity, g.capacity) AS capacity,
           coalesce(ad.cities, g.cities) AS cities,
           coalesce(ad.languages, g.languages) AS languages,
           ad.agent_id IS NOT NULL AS recorded
    FROM agent_shifts AS s
    JOIN cfg_agents AS g USING (agent_id)
    LEFT JOIN agent_days AS ad ON ad.agent_id = s.agent_id AND ad.work_date = s.work_date
    WHERE list_contains(g.skills, 'field')
),
visits_used AS (
    SELECT u.agent_id, va.work_date, count(*) AS n,
           any_value(list_filter(va.agent_ids, lambda x: x <> u.agent_id)[1]) AS partner
    FROM visit_assignments AS va, unnest(va.agent_ids) AS u(agent_id)
    WHERE va.outcome = 'assigned' AND va.work_date BETWEEN $as_of::DATE - 1 AND $as_of::DATE + 1
    GROUP BY ALL
),
calls_used AS (
    SELECT agent_id, work_date, count(*) AS n
    FROM call_assignments
    WHERE outcome = 'assigned' AND work_date BETWEEN $as_of::DATE - 1 AND $as_of::DATE + 1
    GROUP BY ALL
)
SELECT s.agent_id, s.work_date, s.shift_start, s.shift_end, s.capacity, s.cities, s.languages,
       (coalesce(v.n, 0) + coalesce(c.n, 0))::INTEGER AS used, v.partner
FROM shifts AS s
LEFT JOIN visits_used AS v USING (agent_id, work_date)
LEFT JOIN calls_used AS c USING (agent_id, work_date)
ORDER BY s.agent_id, s.work_date;
