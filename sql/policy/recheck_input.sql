-- gate_input for the re-check before send: every contact still planned whose window is open at
-- $now, as the gate reads them. A contact is judged by the pass that could send it, with what was
-- known at that instant, so a pass replayed at an earlier instant never judges later contacts.
-- The contact's recorded point comes along: the gate judges THAT point (not re-resolved); a
-- contact recorded before points were goes to the borrower's primary address (as dispatch sends
-- it, sql/delivery/due_batch.sql), so that is the point judged.
-- Those whose window has already closed are marked window_missed by apply_recheck instead.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT idempotency_key, borrower_id, loan_id, installment_no, channel, purpose, step, episode_id,
       planned_for_date,
       coalesce(contact_point,
                (SELECT any_value(r.point_id) FROM recipients AS r
                 WHERE r.borrower_id = a.borrower_id AND r.channel = a.channel AND r.is_primary)) AS contact_point
FROM contact_attempts AS a
WHERE status = 'planned' AND send_after <= $now AND send_before > $now
  AND ($day::DATE IS NULL OR planned_for_date = $day::DATE);
