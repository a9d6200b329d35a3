-- Removes the agents' shifts the plans of $start and later recorded (work_date >= $start). Returns nothing.
DELETE FROM agent_days WHERE work_date >= $start;
