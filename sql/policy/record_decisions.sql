-- Records today's decisions in contact_attempts, except planned text contacts ($text_channels),
-- which are recorded together with their rendered wording, batch by batch. A suppressed text
-- contact keeps the language it would have been written in. Returns nothing.
INSERT INTO contact_attempts (
    attempt_id, idempotency_key, borrower_id, loan_id, installment_no, channel, purpose, step,
    episode_id, priority, amount_due, status, suppressed_reason, decided_by_rule, policy_version,
    planned_for_date, send_after, send_before, created_at, updated_at, contact_point, language,
    experiment, arm)
SELECT substr(sha256(d.idempotency_key), 1, 20), d.idempotency_key, d.borrower_id, d.loan_id,
       d.installment_no, d.channel, d.purpose, d.step, d.episode_id, d.severity, d.amount_due,
       d.status, d.suppressed_reason, d.decided_by_rule, $policy_version, $as_of::DATE,
       d.send_after, d.send_before, $recorded_at, $recorded_at, d.contact_point,
       CASE WHEN list_contains($text_channels, d.channel) THEN d.borrower_language END,
       d.experiment, d.arm
FROM decisions AS d
WHERE NOT (d.status = 'planned' AND list_contains($text_channels, d.channel))
  -- an anti-join, not ON CONFLICT: duckdb's conflict path is ~100x slower on a large table; on the
  -- day's own rows only (a key names its day, and is recorded on that day: decide.sql)
  AND NOT EXISTS (SELECT 1 FROM contact_attempts AS a
                  WHERE a.planned_for_date = $as_of::DATE AND a.idempotency_key = d.idempotency_key);
