-- Applies the day's visit plan (temp table day_visit_plan, built by loan_comms/visits/plan.py) to
-- the decisions: an assigned visit's window narrows to its slot (dispatch releases it to the field
-- team at the slot's start; a window only ever narrows), a carried one is suppressed with its
-- reason (field_capacity: the ladder proposes it again the next allowed day). A visit no pair could
-- ever make was already suppressed no_field_pair by the gate (sql/policy/rules/no_field_pair.sql; a
-- step that cannot be made, see step_taken): its plan row only records it. Returns nothing. decide() writes nothing to the database:
-- this changes only the temp table.
UPDATE decisions AS d
SET status = CASE WHEN p.outcome = 'carried' THEN 'suppressed' ELSE d.status END,
    suppressed_reason = CASE WHEN p.outcome = 'carried' THEN p.reason ELSE d.suppressed_reason END,
    decided_by_rule = CASE WHEN p.outcome = 'carried' THEN p.reason ELSE d.decided_by_rule END,
    send_after = CASE WHEN p.outcome = 'assigned' THEN p.slot_start ELSE d.send_after END,
    send_before = CASE WHEN p.outcome = 'assigned' THEN p.slot_end ELSE d.send_before END
FROM day_visit_plan AS p
WHERE d.idempotency_key = p.idempotency_key AND d.channel = 'visit' AND d.status = 'planned';
