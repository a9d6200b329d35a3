-- Records what one POST came to (temp table dialer_push_results: attempt_id, state, dialer_ref,
-- error): sent (with the dialer's id), unknown (may have arrived), pending (certainly did not arrive,
-- tries used up) or failed (refused). Only claimed rows ('sending') change. Returns nothing.
UPDATE dialer_pushes p
SET state = r.state, dialer_ref = coalesce(r.dialer_ref, p.dialer_ref), error = r.error, updated_at = $now
FROM dialer_push_results r
WHERE p.attempt_id = r.attempt_id AND p.state = 'sending';
