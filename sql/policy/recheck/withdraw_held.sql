-- After the gate judged the held calls (held_calls.sql -> gate_verdicts): records each call it now
-- forbids in call_withdrawals (its status then, the reason, $now; the first verdict wins, so a
-- replayed pass changes nothing). A released one stays 'sent' (it was released); the dialer pass
-- cancels it at the dialer, dialer_pushes.cancel_reason naming the withdrawal; the planned ones
-- are then suppressed with the reason (suppress_held.sql). Returns nothing.
INSERT INTO call_withdrawals (attempt_id, borrower_id, status, reason, policy_version, withdrawn_at)
SELECT a.attempt_id, a.borrower_id, a.status, v.reason, $policy_version, $now
FROM gate_verdicts AS v
JOIN contact_attempts AS a USING (idempotency_key)
WHERE a.channel = 'call' AND a.status IN ('planned', 'sent')
ON CONFLICT (attempt_id) DO NOTHING;
