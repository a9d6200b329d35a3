-- Records the field agents' shifts the day's visit plan used (temp table day_visit_plan, its
-- agent_ids and work_date) in agent_days, as the roster had them (cfg_agents, agent_shifts), so the
-- audit judges slots and capacity against this snapshot, not against a later agents.toml. Anti-join:
-- the first recorded shift of an agent and work date wins (sql/schema/100_collectors.sql). Returns nothing.
INSERT INTO agent_days (agent_id, work_date, team, languages, skills, cities, capacity, timezone,
                        shift_start, shift_end, recorded_at)
SELECT g.agent_id, s.work_date, g.team, g.languages, g.skills, g.cities, g.capacity, g.timezone,
       s.shift_start, s.shift_end, $recorded_at
FROM (SELECT DISTINCT u.agent_id, p.work_date
      FROM day_visit_plan AS p, unnest(p.agent_ids) AS u(agent_id)
      WHERE p.outcome = 'assigned') AS used
JOIN agent_shifts AS s ON s.agent_id = used.agent_id AND s.work_date = used.work_date
JOIN cfg_agents AS g ON g.agent_id = used.agent_id
WHERE NOT EXISTS (SELECT 1 FROM agent_days AS a WHERE a.agent_id = used.agent_id AND a.work_date = used.work_date);
