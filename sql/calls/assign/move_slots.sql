-- Moves the slots of the assigned calls whose narrowed window still has room on the same agent's
-- shift (recheck_slots.fits): slot_start, slot_end and dial_until follow the narrowed window.
-- Returns nothing. Idempotent: a replayed pass narrows nothing more, so moves nothing.
-- The terms this overwrites were appended to call_assignment_changes first (record_changes.sql).
UPDATE call_assignments AS c
SET slot_start = s.slot_start, slot_end = s.slot_end, dial_until = s.dial_until
FROM recheck_slots AS s
WHERE c.attempt_id = s.attempt_id AND s.fits AND c.outcome = 'assigned';
