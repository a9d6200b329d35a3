-- gate_input for the re-judge of the calls a dialer may still dial (review 16 item 1): every call
-- assigned to an agent (call_assignments outcome 'assigned') whose contact is still planned or
-- already released (status planned | sent), whose dial_until is after $now, not withdrawn yet
-- (call_withdrawals) and with no conversation on it yet (a dial whose outcome is call_conversation():
-- the call did its work, and its own conversation must not read as a cooldown against itself).
-- The dialer holds such a call from its push and dials it from its slot, hours after the first
-- dispatch pass of its window released it, and may redial until dial_until: what the borrower did
-- meanwhile (paid, cease-contact, STOP, dispute, hand-off, wrong number) is judged again at every
-- dispatch pass, whose dialer sync then cancels what the gate now forbids.
-- Same columns as recheck_input.sql (the point recorded on the call, else the primary one).
-- With $day (a local day; NULL for all), only the calls planned for that day.
CREATE OR REPLACE TEMP TABLE gate_input AS
SELECT a.idempotency_key, a.borrower_id, a.loan_id, a.installment_no, a.channel, a.purpose, a.step, a.episode_id,
       a.planned_for_date,
       coalesce(a.contact_point,
                (SELECT any_value(r.point_id) FROM recipients AS r
                 WHERE r.borrower_id = a.borrower_id AND r.channel = a.channel AND r.is_primary)) AS contact_point,
       NULL::DECIMAL(18, 2) AS installment_outstanding   -- a reminder's only (recheck_input.sql); calls are none
FROM contact_attempts AS a
JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id AND ca.outcome = 'assigned'
WHERE a.channel = 'call' AND a.status IN ('planned', 'sent') AND ca.dial_until > $now
  AND ($day::DATE IS NULL OR a.planned_for_date = $day::DATE)
  AND a.attempt_id NOT IN (SELECT attempt_id FROM call_withdrawals)
  AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                  WHERE e.kind = 'call_outcome' AND e.occurred_at <= $now AND json_valid(e.detail)
                    AND json_extract_string(e.detail, '$.attempt_id') = a.attempt_id
                    AND call_conversation(json_extract_string(e.detail, '$.outcome')));
