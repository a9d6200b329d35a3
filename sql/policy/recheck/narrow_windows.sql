-- Writes the narrowed windows (recheck_windows, not empty) onto the planned contacts, so the
-- re-check's selection (sql/policy/recheck_input.sql) and dispatch (sql/delivery/due_batch.sql,
-- which reads send_after / send_before) only send inside them. Returns nothing.
-- Why: a window is a promise about when the person may be contacted; what changed since the plan
-- narrows it for the rest of the day (see recheck/windows.sql), never widens it.
UPDATE contact_attempts AS a
SET send_after = w.send_after, send_before = w.send_before, updated_at = $now
FROM recheck_windows AS w
WHERE a.idempotency_key = w.idempotency_key AND a.status = 'planned' AND NOT w.empty;
