-- gate_input for the re-judge of the calls a dialer may still dial (review 16 item 1): every call
-- assigned to an agent (call_assignments outcome 'assigned') whose contact is still planned or
-- already released (status planned | sent), whose dial_until is after $now, not withdrawn yet
-- (call_withdrawals) and with no conversation on it yet (a dial whose outcome is call_conversation():
-- the call did its work, and its own conversation must not read as a cooldown against itself).
-- The dialer holds such a call from its push and dials it from its slot, hours after the first
-- dispatch pass of its window released it, and may redial until dial_until: what the borrower did
-- meanwhile (paid, cease-contact, STOP, dispute, hand-off, wrong number) is judged again at every
-- dispatch pass, whose dialer sync then cancels what the gate now forbids.
-- Same columns as recheck_input.sql (the point recorded on the call, else the primary one; a reminder's
-- installment outstanding from installment_state, which the pass derived before).
-- With $day (a local day; NULL for all), only the calls planned for that day.
-- A call recorded without a point gets its primary's id, hashed after the join on those calls only
-- (as recheck_input.sql does): with none, the recipients view is not read at all.
CREATE OR REPLACE TEMP TABLE gate_input AS
WITH held AS (
    SELECT a.idempotency_key, a.borrower_id, a.loan_id, a.installment_no, a.channel, a.purpose, a.step,
           a.episode_id, a.planned_for_date, a.contact_point
    FROM contact_attempts AS a
    JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id AND ca.outcome = 'assigned'
    WHERE a.channel = 'call' AND a.status IN ('planned', 'sent') AND ca.dial_until > $now
      AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
      AND a.attempt_id NOT IN (SELECT attempt_id FROM call_withdrawals)
      AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                      WHERE e.kind = 'call_outcome' AND e.occurred_at <= $now AND json_valid(e.detail)
                        AND json_extract_string(e.detail, '$.attempt_id') = a.attempt_id
                        AND call_conversation(json_extract_string(e.detail, '$.outcome')))
),
unrecorded AS (
    SELECT h.idempotency_key, any_value(point_id('phone', r.address)) AS point_id
    FROM held AS h
    JOIN recipients AS r ON r.borrower_id = h.borrower_id AND r.channel = h.channel AND r.is_primary
    WHERE h.contact_point IS NULL
    GROUP BY h.idempotency_key
)
SELECT h.idempotency_key, h.borrower_id, h.loan_id, h.installment_no, h.channel, h.purpose, h.step, h.episode_id,
       h.planned_for_date, coalesce(h.contact_point, u.point_id) AS contact_point,
       -- a reminder call's installment outstanding as of $now, as recheck_input.sql: a reminder may go by call
       CASE WHEN h.purpose = 'reminder' THEN s.outstanding END AS installment_outstanding
FROM held AS h
LEFT JOIN unrecorded AS u USING (idempotency_key)
LEFT JOIN installment_state AS s ON s.loan_id = h.loan_id AND s.installment_no = h.installment_no;
