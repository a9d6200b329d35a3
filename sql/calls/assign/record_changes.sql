-- Appends to call_assignment_changes the terms in force of every assigned call the re-check is
-- about to change (recheck_slots): change 'slot_moved' when its slot or dial_until moves
-- (move_slots.sql), 'carried' when it no longer fits (carry_misfits.sql); changed_at = $now. Run
-- before those two overwrite call_assignments. Only real changes (a replayed pass moves nothing, so
-- writes nothing), and anti-joined on (attempt_id, changed_at). Returns nothing.
-- Why: the log must keep what the dialer was told (review 16, item 4): dials placed under the
-- original push are judged against it (audit dial_attempts), not against the new terms.
INSERT INTO call_assignment_changes (attempt_id, changed_at, change, outcome, agent_id, work_date, slot_start,
                                     slot_end, queue_rank, max_dials, dial_until)
SELECT c.attempt_id, $now, CASE WHEN s.fits THEN 'slot_moved' ELSE 'carried' END, c.outcome, c.agent_id,
       c.work_date, c.slot_start, c.slot_end, c.queue_rank, c.max_dials, c.dial_until
FROM call_assignments AS c
JOIN recheck_slots AS s USING (attempt_id)
WHERE c.outcome = 'assigned'
  AND (NOT s.fits OR c.slot_start IS DISTINCT FROM s.slot_start OR c.slot_end IS DISTINCT FROM s.slot_end
       OR c.dial_until IS DISTINCT FROM s.dial_until)
  AND NOT EXISTS (SELECT 1 FROM call_assignment_changes AS h
                  WHERE h.attempt_id = c.attempt_id AND h.changed_at = $now);
