-- gate_input for the re-check before send: every contact still planned whose window is open at
-- $now, as the gate reads them. A contact is judged by the pass that could send it, with what was
-- known at that instant, so a pass replayed at an earlier instant never judges later contacts.
-- The contact's recorded point comes along: the gate judges THAT point (not re-resolved); a
-- contact recorded before points were goes to the borrower's primary address (as dispatch sends
-- it, sql/delivery/due_batch.sql), so that is the point judged.
-- Those whose window has already closed are marked window_missed by apply_recheck instead.
-- With $day (a local day; NULL for all), only the contacts planned for that day: a day's dispatch
-- on a simulated clock, so a replayed pass of an earlier day never sends a later day's contacts.
-- installment_outstanding: a reminder's installment's outstanding amount as of $now (installment_state,
-- derived for these contacts' loans), read by the gate's paid rule; NULL for the other purposes.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT a.idempotency_key, a.borrower_id, a.loan_id, a.installment_no, a.channel, a.purpose, a.step, a.episode_id,
       a.planned_for_date,
       coalesce(a.contact_point,
                (SELECT any_value(r.point_id) FROM recipients AS r
                 WHERE r.borrower_id = a.borrower_id AND r.channel = a.channel AND r.is_primary)) AS contact_point,
       CASE WHEN a.purpose = 'reminder' THEN s.outstanding END AS installment_outstanding
FROM contact_attempts AS a
LEFT JOIN installment_state AS s ON s.loan_id = a.loan_id AND s.installment_no = a.installment_no
WHERE a.status = 'planned' AND a.send_after <= $now AND a.send_before > $now
  AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE);
