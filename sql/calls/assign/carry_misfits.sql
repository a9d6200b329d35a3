-- Marks carried (reason no_agent_today, no agent, slot or dials) the assigned calls whose narrowed
-- window no longer fits their agent's shift (recheck_slots, not fits): the call_assignments row
-- says what became of the call, like the contact it belongs to (suppressed in the same
-- transaction). The shift's capacity is freed with it. Returns nothing.
-- The terms this overwrites were appended to call_assignment_changes first (record_changes.sql,
-- run with move_slots in narrow_windows, before the gate).
UPDATE call_assignments AS c
SET outcome = 'carried', reason = 'no_agent_today', agent_id = NULL, work_date = NULL, slot_start = NULL,
    slot_end = NULL, queue_rank = NULL, max_dials = NULL, dial_until = NULL
FROM recheck_slots AS s
WHERE c.attempt_id = s.attempt_id AND NOT s.fits AND c.outcome = 'assigned';
