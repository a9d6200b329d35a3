-- Suppresses in temp table decisions the calls the assignment carried (day_call_assignments,
-- outcome 'carried'), with the carry reason as suppressed_reason and decided_by_rule:
-- agent_capacity / no_agent_today (transient: proposed again the next day, step_taken is false)
-- or no_agent (standing: counts as taken). Returns nothing. A temp table: decide writes nothing.
UPDATE decisions AS d
SET status = 'suppressed', suppressed_reason = c.reason, decided_by_rule = c.reason
FROM day_call_assignments AS c
WHERE d.idempotency_key = c.idempotency_key AND c.outcome = 'carried' AND d.status = 'planned';
