-- After desired.sql (temp table dialer_candidates of plan day $plan_date): the payloads. Temp tables
-- dialer_no_number (attempt_id, team: calls with no number to dial, left out) and dialer_desired
-- (attempt_id, team, agent_id, slot_start, payload, payload_sha256): the calls the dialer should hold.
-- The payload is deterministic JSON (same row, same bytes): its sha256 says whether a call changed.
CREATE OR REPLACE TEMP TABLE dialer_no_number AS
SELECT attempt_id, team FROM dialer_candidates WHERE phone IS NULL;

CREATE OR REPLACE TEMP TABLE dialer_desired AS
WITH p AS (
    SELECT attempt_id, team, agent_id, slot_start,
           json_object(
               'ref', attempt_id,
               'plan_date', strftime(plan_date, '%Y-%m-%d'),
               'team', team,
               'agent_id', agent_id,
               'slot_start', strftime(timezone('UTC', slot_start), '%Y-%m-%dT%H:%M:%SZ'),
               'slot_end', strftime(timezone('UTC', slot_end), '%Y-%m-%dT%H:%M:%SZ'),
               'dial_until', strftime(timezone('UTC', dial_until), '%Y-%m-%dT%H:%M:%SZ'),
               'max_dials', max_dials,
               'phone', phone,
               'language', language,
               'timezone', timezone,
               'loan_id', loan_id,
               'step', step,
               'priority_score', round(priority_score, 4),
               'priority_reasons', json(priority_reasons)
           )::VARCHAR AS payload
    FROM dialer_candidates
    WHERE phone IS NOT NULL
)
SELECT attempt_id, team, agent_id, slot_start, payload, sha256(payload) AS payload_sha256 FROM p;
