-- Records each wanted call of plan day $plan_date (temp table dialer_desired) not yet in
-- dialer_pushes, in state $state ('pending' for the http dialer, 'filed' for files). Returns nothing.
INSERT INTO dialer_pushes (attempt_id, plan_date, team, agent_id, state, payload_sha256, recorded_at, updated_at)
SELECT d.attempt_id, $plan_date::DATE, d.team, d.agent_id, $state, d.payload_sha256, $now, $now
FROM dialer_desired d
WHERE NOT EXISTS (SELECT 1 FROM dialer_pushes p WHERE p.attempt_id = d.attempt_id);
