-- day_agent_days: the shifts today's assignments point to (temp table day_shift_keys: agent_id,
-- work_date), as they stand: an earlier plan day's snapshot (agent_days) when there is one, else
-- the roster's agent (cfg_agents) and shift (agent_shifts). What record_agent_days.sql writes:
-- the audit judges slots and capacity against this snapshot, not against a later agents.toml.
CREATE OR REPLACE TEMP TABLE day_agent_days AS
SELECT k.agent_id, k.work_date,
       coalesce(d.team, a.team) AS team, coalesce(d.languages, a.languages) AS languages,
       coalesce(d.skills, a.skills) AS skills, coalesce(d.cities, a.cities) AS cities,
       coalesce(d.capacity, a.capacity) AS capacity, coalesce(d.timezone, a.timezone) AS timezone,
       coalesce(d.shift_start, s.shift_start) AS shift_start, coalesce(d.shift_end, s.shift_end) AS shift_end
FROM day_shift_keys AS k
JOIN cfg_agents AS a USING (agent_id)
JOIN agent_shifts AS s ON s.agent_id = k.agent_id AND s.work_date = k.work_date
LEFT JOIN agent_days AS d ON d.agent_id = k.agent_id AND d.work_date = k.work_date;
