-- The calls of plan day $plan_date to push now (state pending, still wanted), with their payloads,
-- in calling order (team, slot): the pass POSTs them in batches.
SELECT p.attempt_id, d.payload, d.payload_sha256
FROM dialer_pushes p JOIN dialer_desired d USING (attempt_id)
WHERE p.plan_date = $plan_date::DATE AND p.state = 'pending'
ORDER BY d.team, d.slot_start, p.attempt_id;
