-- Suppresses the planned contacts the re-check forbade (gate_verdicts) and those whose window
-- closed unsent (window_missed: never sent late). Returns nothing.
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
) AS v
WHERE a.idempotency_key = v.idempotency_key;
