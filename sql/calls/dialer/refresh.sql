-- Refreshes the payload hash, team and agent of the rows of plan day $plan_date not yet at a dialer
-- (pending; filed: the file is rewritten) whose wanted payload (temp table dialer_desired) changed.
-- Returns nothing.
UPDATE dialer_pushes p
SET payload_sha256 = d.payload_sha256, team = d.team, agent_id = d.agent_id, updated_at = $now
FROM dialer_desired d
WHERE p.attempt_id = d.attempt_id AND p.plan_date = $plan_date::DATE AND p.state IN ('pending', 'filed') AND p.payload_sha256 <> d.payload_sha256;
