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
-- A contact recorded without a point (before points were) gets its primary's id, hashed after the
-- join on those contacts only: the recipients view would hash every point of the book, and with no
-- such contact (any day planned since points exist) it is not read at all. Points exist on the
-- channels recipients addresses: sms, call, email.
CREATE OR REPLACE TEMP TABLE gate_input AS
WITH open_now AS (
    SELECT idempotency_key, borrower_id, loan_id, installment_no, channel, purpose, step, episode_id,
           planned_for_date, contact_point
    FROM contact_attempts
    WHERE status = 'planned' AND send_after <= $now AND send_before > $now
      AND ($day::DATE IS NULL OR planned_for_date = $day::DATE)
),
unrecorded AS (
    SELECT o.idempotency_key,
           any_value(point_id(CASE o.channel WHEN 'email' THEN 'email' ELSE 'phone' END, r.address)) AS point_id
    FROM open_now AS o
    JOIN recipients AS r ON r.borrower_id = o.borrower_id AND r.channel = o.channel AND r.is_primary
    WHERE o.contact_point IS NULL AND o.channel IN ('sms', 'call', 'email')
    GROUP BY o.idempotency_key
)
SELECT o.idempotency_key, o.borrower_id, o.loan_id, o.installment_no, o.channel, o.purpose, o.step, o.episode_id,
       o.planned_for_date, coalesce(o.contact_point, u.point_id) AS contact_point,
       CASE WHEN o.purpose = 'reminder' THEN s.outstanding END AS installment_outstanding
FROM open_now AS o
LEFT JOIN unrecorded AS u USING (idempotency_key)
LEFT JOIN installment_state AS s ON s.loan_id = o.loan_id AND s.installment_no = o.installment_no;
