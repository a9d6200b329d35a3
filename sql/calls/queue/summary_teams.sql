-- Plan day $as_of by team, for the call-queue summary and artifacts: calls assigned and carried
-- (with the carry-over by reason, "agent_capacity 3, no_agent 1"), the first and last slot (UTC),
-- and the team's own agents working (their shifts on the day's local date, or filled by the day's
-- calls) with the capacity those shifts hold and how much of it calls of any plan day use
-- (capacity is per agent and work date, sql/schema/100_collectors.sql). Field agents (visits) are
-- not counted: their capacity is visits. Calls are counted under the call's team (routing), agents
-- under their own team (a team's overflow is taken by another team's agents).
WITH day AS (
    SELECT * FROM call_assignments WHERE plan_date = $as_of::DATE
), calls AS (
    SELECT team, count(*) FILTER (WHERE outcome = 'assigned')::INTEGER AS assigned,
           count(*) FILTER (WHERE outcome = 'carried')::INTEGER AS carried,
           min(slot_start) AS first_slot, max(slot_start) AS last_slot
    FROM day GROUP BY team
), carried AS (
    SELECT team, string_agg(reason || ' ' || n, ', ' ORDER BY reason) AS carried_by_reason
    FROM (SELECT team, coalesce(reason, 'unknown') AS reason, count(*) AS n
          FROM day WHERE outcome = 'carried' GROUP BY ALL)
    GROUP BY team
), shifts AS (
    SELECT agent_id, work_date FROM agent_days
    WHERE work_date = $as_of::DATE AND NOT list_contains(skills, 'field')
    UNION
    SELECT agent_id, work_date FROM day WHERE outcome = 'assigned' AND agent_id IS NOT NULL
), used AS (
    SELECT agent_id, work_date, count(*) AS used
    FROM call_assignments WHERE outcome = 'assigned' AND agent_id IS NOT NULL GROUP BY ALL
), capacity AS (
    SELECT d.team, count(DISTINCT d.agent_id)::INTEGER AS agents, sum(d.capacity)::INTEGER AS capacity,
           coalesce(sum(u.used), 0)::INTEGER AS capacity_used
    FROM shifts s JOIN agent_days d USING (agent_id, work_date) LEFT JOIN used u USING (agent_id, work_date)
    GROUP BY d.team
)
SELECT coalesce(c.team, k.team) AS team, coalesce(c.assigned, 0) AS assigned, coalesce(c.carried, 0) AS carried,
       coalesce(r.carried_by_reason, '') AS carried_by_reason,
       coalesce(k.agents, 0) AS agents, coalesce(k.capacity_used, 0) AS capacity_used,
       coalesce(k.capacity, 0) AS capacity,
       CASE WHEN coalesce(k.capacity, 0) > 0 THEN round(100.0 * k.capacity_used / k.capacity, 1) END AS capacity_pct,
       c.first_slot, c.last_slot
FROM calls c
FULL JOIN capacity k ON k.team = c.team
LEFT JOIN carried r ON r.team = c.team
ORDER BY team;
