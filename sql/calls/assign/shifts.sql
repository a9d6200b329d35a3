-- The call agents' shifts the day's calls may fill: each agent of the roster who is not a field
-- agent (skill 'field' or team 'field': visits, not calls) on each of their working local dates
-- around $as_of (agent_shifts: as_of-1 .. as_of+1, UTC), with capacity, languages and skills, and
-- `used`: calls already assigned to that shift by earlier plan days (call_assignments with that
-- agent_id and work_date; capacity is per agent and work date, whichever plan days fill it).
-- A shift an earlier plan day already recorded (agent_days: first recorded wins) is read from
-- there, so the capacity and hours judged are the ones the audit reads; the others from the roster.
-- Ordered by agent and shift start (deterministic).
WITH roster AS (
    SELECT s.agent_id, s.work_date, a.team, a.languages, a.skills, a.capacity, s.shift_start, s.shift_end
    FROM agent_shifts AS s JOIN cfg_agents AS a USING (agent_id)
    WHERE NOT list_contains(a.skills, 'field') AND a.team <> 'field'
)
SELECT r.agent_id, r.work_date,
       coalesce(d.team, r.team) AS team, coalesce(d.languages, r.languages) AS languages,
       coalesce(d.skills, r.skills) AS skills, coalesce(d.capacity, r.capacity) AS capacity,
       coalesce(d.shift_start, r.shift_start) AS shift_start, coalesce(d.shift_end, r.shift_end) AS shift_end,
       (SELECT count(*) FROM call_assignments AS c
        WHERE c.agent_id = r.agent_id AND c.work_date = r.work_date AND c.outcome = 'assigned') AS used
FROM roster AS r
LEFT JOIN agent_days AS d ON d.agent_id = r.agent_id AND d.work_date = r.work_date
ORDER BY r.agent_id, shift_start;
