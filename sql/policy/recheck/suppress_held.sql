-- After withdraw_held.sql: the planned calls among those the gate now forbids (gate_verdicts of
-- held_calls.sql) are suppressed with its reason, before their window opens if need be: a call the
-- dialer holds is not left to the first pass of its window to judge. Returns nothing.
UPDATE contact_attempts AS a
SET status = 'suppressed', suppressed_reason = v.reason, decided_by_rule = v.reason,
    policy_version = $policy_version, updated_at = $now
FROM gate_verdicts AS v
WHERE a.idempotency_key = v.idempotency_key AND a.channel = 'call' AND a.status = 'planned';
