-- Records the DELETEs of this pass (temp table dialer_cancel_results: attempt_id, done, absent, error).
-- done: the dialer confirmed it will not dial the call (200/204, or 404 = absent: it holds no such call)
--   -> 'cancelled', or, when the call is still wanted with a new payload (changed agent or slot),
--      'pending' again with the cancelled id kept in replaced_refs: the pass pushes the new one.
--      But a 404 on a changed call re-pushes only when the dialer cannot have dialled the old one:
--      its slot has not begun at $now and no dial outcome (call_outcome naming it) came back.
--      Otherwise the dialer may have dialled it and dropped it: re-pushing would give it a fresh
--      max_dials (review 16 item a), so it becomes 'unknown' with an error for a person (loud);
-- not done -> stays 'cancel_due' with the error (a DELETE is idempotent: the next pass sends it again).
-- cancel_tries counts every DELETE sent. Returns nothing.
UPDATE dialer_pushes p
SET state = CASE WHEN NOT r.done THEN 'cancel_due' WHEN r.new_sha IS NULL THEN 'cancelled'
                 WHEN r.absent AND NOT r.safe THEN 'unknown' ELSE 'pending' END,
    replaced_refs = CASE WHEN r.done AND r.new_sha IS NOT NULL THEN list_append(p.replaced_refs, p.dialer_ref)
                         ELSE p.replaced_refs END,
    dialer_ref = CASE WHEN r.done AND r.new_sha IS NOT NULL THEN NULL ELSE p.dialer_ref END,
    payload_sha256 = CASE WHEN r.done AND r.new_sha IS NOT NULL AND NOT (r.absent AND NOT r.safe) THEN r.new_sha
                          ELSE p.payload_sha256 END,
    cancelled_at = CASE WHEN r.done THEN $now ELSE p.cancelled_at END,
    cancel_tries = p.cancel_tries + 1,
    error = CASE WHEN r.done AND r.new_sha IS NOT NULL AND r.absent AND NOT r.safe
                 THEN 'the dialer held no such call (404) when its agent or slot changed, but it may have '
                      || 'dialled it and dropped it (its slot has begun or an outcome came back): NOT pushed '
                      || 'again; a person must check with the dialer'
                 ELSE r.error END,
    updated_at = $now
FROM (SELECT c.attempt_id, c.done, c.absent, c.error, d.payload_sha256 AS new_sha,
             coalesce(ca.slot_start > $now, false)
             AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                             WHERE e.kind = 'call_outcome' AND json_valid(e.detail)
                               AND json_extract_string(e.detail, '$.attempt_id') = c.attempt_id) AS safe
      FROM dialer_cancel_results c
      LEFT JOIN dialer_desired d USING (attempt_id)
      LEFT JOIN call_assignments ca USING (attempt_id)) r
WHERE p.attempt_id = r.attempt_id AND p.state = 'cancel_due';
