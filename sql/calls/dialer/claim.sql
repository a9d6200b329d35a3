-- Claims the calls $ids for one POST before it leaves (committed on its own): state 'sending', one
-- more try, with the hash of the payload that goes. Only rows in state $from ('pending' for the first
-- try, 'sending' for a retry of a request that certainly did not arrive) change. Returns their ids.
UPDATE dialer_pushes p
SET state = 'sending', tries = p.tries + 1, first_try_at = coalesce(p.first_try_at, $now), last_try_at = $now,
    payload_sha256 = d.payload_sha256, updated_at = $now
FROM dialer_desired d
WHERE p.attempt_id = d.attempt_id AND p.attempt_id IN (SELECT unnest($ids::VARCHAR[])) AND p.state = $from
RETURNING p.attempt_id;
