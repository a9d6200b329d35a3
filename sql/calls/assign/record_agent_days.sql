-- Records the shifts today's assignments point to (day_agent_days) in agent_days; a shift an
-- earlier plan day recorded keeps its first snapshot (anti-join: first recorded wins, and a
-- replayed day writes nothing). Returns nothing.
INSERT INTO agent_days (agent_id, work_date, team, languages, skills, cities, capacity, timezone,
                        shift_start, shift_end, recorded_at)
SELECT d.agent_id, d.work_date, d.team, d.languages, d.skills, d.cities, d.capacity, d.timezone,
       d.shift_start, d.shift_end, $recorded_at
FROM day_agent_days AS d
WHERE NOT EXISTS (SELECT 1 FROM agent_days AS a WHERE a.agent_id = d.agent_id AND a.work_date = d.work_date);
