-- Records the DELETEs of this pass (temp table dialer_cancel_results: attempt_id, done, error).
-- done: the dialer confirmed it will not dial the call (200/204, or 404: it holds no such call)
--   -> 'cancelled', or, when the call is still wanted with a new payload (changed agent or slot),
--      'pending' again with the cancelled id kept in replaced_refs: the pass pushes the new one;
-- not done -> stays 'cancel_due' with the error (a DELETE is idempotent: the next pass sends it again).
-- cancel_tries counts every DELETE sent. Returns nothing.
UPDATE dialer_pushes p
SET state = CASE WHEN NOT r.done THEN 'cancel_due' WHEN r.new_sha IS NOT NULL THEN 'pending' ELSE 'cancelled' END,
    replaced_refs = CASE WHEN r.done AND r.new_sha IS NOT NULL THEN list_append(p.replaced_refs, p.dialer_ref)
                         ELSE p.replaced_refs END,
    dialer_ref = CASE WHEN r.done AND r.new_sha IS NOT NULL THEN NULL ELSE p.dialer_ref END,
    payload_sha256 = CASE WHEN r.done AND r.new_sha IS NOT NULL THEN r.new_sha ELSE p.payload_sha256 END,
    cancelled_at = CASE WHEN r.done THEN $now ELSE p.cancelled_at END,
    cancel_tries = p.cancel_tries + 1,
    error = r.error,
    updated_at = $now
FROM (SELECT c.attempt_id, c.done, c.error, d.payload_sha256 AS new_sha
      FROM dialer_cancel_results c LEFT JOIN dialer_desired d USING (attempt_id)) r
WHERE p.attempt_id = r.attempt_id AND p.state = 'cancel_due';
