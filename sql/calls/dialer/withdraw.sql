-- What the policy withdrew on plan day $plan_date (a row of dialer_pushes whose call is no longer in
-- temp table dialer_desired: suppressed at the re-check before sending, withdrawn after its release
-- (call_withdrawals: the reason is the policy's, e.g. 'withdrawn: sent: cease_contact'), failed, or
-- no longer assigned), and what changed (its payload hash differs: another agent or slot):
--   pending / filed (never at a dialer, or the file is rewritten without it) -> 'withdrawn';
--   sent (the dialer holds it) -> 'cancel_due': the pass DELETEs it at the dialer.
-- The reason names the contact's status and suppression reason (no personal data). Returns nothing.
UPDATE dialer_pushes p
SET state = CASE WHEN p.state = 'sent' THEN 'cancel_due' ELSE 'withdrawn' END,
    cancel_reason = CASE
        WHEN d.attempt_id IS NOT NULL THEN 'changed: agent or slot'
        WHEN w.attempt_id IS NOT NULL THEN 'withdrawn: ' || w.status || ': ' || w.reason
        WHEN a.attempt_id IS NULL THEN 'withdrawn: no longer in the log'
        WHEN a.status IN ('planned', 'sent') THEN 'withdrawn: no longer assigned'
        ELSE 'withdrawn: ' || a.status || coalesce(': ' || a.suppressed_reason, '') END,
    updated_at = $now
FROM dialer_pushes q
LEFT JOIN dialer_desired d ON d.attempt_id = q.attempt_id
LEFT JOIN contact_attempts a ON a.attempt_id = q.attempt_id
LEFT JOIN call_withdrawals w ON w.attempt_id = q.attempt_id
WHERE p.attempt_id = q.attempt_id
  AND p.plan_date = $plan_date::DATE
  AND (d.attempt_id IS NULL OR (d.payload_sha256 <> p.payload_sha256 AND p.state = 'sent'))
  AND p.state IN ('pending', 'filed', 'sent');
