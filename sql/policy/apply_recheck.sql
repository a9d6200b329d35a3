-- Suppresses the planned contacts the re-check forbade (gate_verdicts) and those whose window
-- closed unsent (window_missed: never sent late). Returns nothing.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
UPDATE contact_attempts AS a
SET status = 'suppressed',
    suppressed_reason = coalesce(v.reason, 'window_missed'),
    decided_by_rule = coalesce(v.reason, 'window_missed'),
    policy_version = $policy_version,
    updated_at = $now
FROM (
    SELECT a2.idempotency_key, v2.reason
    FROM contact_attempts AS a2
    LEFT JOIN gate_verdicts AS v2 USING (idempotency_key)
    WHERE a2.status = 'planned' AND (a2.send_before <= $now OR v2.reason IS NOT NULL)
      AND ($day::DATE IS NULL OR a2.planned_for_date = $day::DATE)
) AS v
WHERE a.idempotency_key = v.idempotency_key;
