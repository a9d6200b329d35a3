-- Simulated dialer results for the calls made on local day $as_of, one row per dial attempt (the
-- dialer's export, docs/collectors/outcomes.md: attempt_id, dial_seq, outcome, occurred_at,
-- agent_id, recording_ref, promised_date, amount, callback_date, callback_from, callback_to).
-- A number that is not the borrower's (1.5% of numbers, drawn per number, so every borrower sharing
-- it is affected alike) answers wrong_number on the first dial. Otherwise the call ends: 40% no
-- answer, 10% busy, 8% voicemail, 22% reached, 9% promise to pay (2-6 days ahead, the overdue
-- amount), 3% hardship request, 2% dispute, 3% refused, 3% callback requested (1-3 days ahead, an
-- hour between 09:00 and 18:00 local). A quarter of the calls are redialed once when they may be
-- (max_dials >= 2 and the redial still fits): the first dial then did not get through (no answer or
-- busy) and the second ends as above 45 minutes later.
-- Who and when: a call the plan assigned (call_assignments outcome 'assigned') is dialled by its
-- agent from its slot_start, at most max_dials times, never after dial_until (min(window end,
-- shift end): every dial inside the agent's shift and the borrower's window); a call without an
-- assignment (no roster) is dialled by no named agent from its release plus up to 3 hours, at most
-- twice. Every dial happens inside the contact's window (send_after .. before send_before); a call
-- whose first possible dial is already past its last (a slot after dial_until) is not dialled.
-- Conversations (call_conversation(), sql/schema/005_macros.sql) carry a recording reference.
-- Returns the export's columns.
WITH calls AS (
    SELECT a.attempt_id, a.loan_id, a.sent_at, a.send_before, ca.agent_id,
           coalesce(ca.max_dials, 2) AS max_dials,
           greatest(a.sent_at, coalesce(ca.slot_start,
                                        a.sent_at + to_minutes((hash(concat($seed::VARCHAR, ':', a.attempt_id, ':delay'))
                                                                % 180)::BIGINT))) AS first_at,
           least(a.send_before, coalesce(ca.dial_until, a.send_before)) - INTERVAL 1 MINUTE AS last_at,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':call')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 5) + 2 AS days_ahead,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':back')) % 3) + 1 AS callback_days,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':hour')) % 9) + 9 AS callback_hour,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':redial')) % 4) = 0 AS redialed,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':busy')) % 2) = 0 AS first_busy,
           (hash(concat($seed::VARCHAR, ':', r.address, ':wrong')) % 1000) < 15 AS wrong_number
    FROM contact_attempts AS a
    JOIN recipients AS r       -- the number the call went to
      ON r.borrower_id = a.borrower_id AND r.channel = 'call'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    LEFT JOIN call_assignments AS ca ON ca.attempt_id = a.attempt_id AND ca.outcome = 'assigned'
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'call' AND a.sent_at IS NOT NULL
      AND (ca.attempt_id IS NULL OR ca.max_dials >= 1)
),
ended AS (
    SELECT *,
           CASE WHEN wrong_number THEN 'wrong_number'
                WHEN r < 0.40 THEN 'no_answer' WHEN r < 0.50 THEN 'busy' WHEN r < 0.58 THEN 'voicemail'
                WHEN r < 0.80 THEN 'reached' WHEN r < 0.89 THEN 'promise_to_pay'
                WHEN r < 0.92 THEN 'hardship_request' WHEN r < 0.94 THEN 'dispute'
                WHEN r < 0.97 THEN 'refused' ELSE 'callback_requested' END AS outcome,
           redialed AND NOT wrong_number AND max_dials >= 2
               AND first_at + INTERVAL 45 MINUTE <= last_at AS two_dials
    FROM calls
    WHERE first_at <= last_at   -- a slot the dialer could no longer reach in time is not dialled at all
),
owed AS (
    SELECT e.attempt_id, sum(i.amount_due - i.amount_paid) AS amount
    FROM ended AS e JOIN installments AS i USING (loan_id)
    WHERE e.outcome = 'promise_to_pay' AND i.due_date <= $as_of::DATE AND i.amount_paid < i.amount_due
    GROUP BY e.attempt_id
),
dials AS (
    SELECT attempt_id, 1 AS dial_seq, CASE WHEN first_busy THEN 'busy' ELSE 'no_answer' END AS outcome,
           first_at AS dial_at, agent_id, days_ahead, callback_days, callback_hour
    FROM ended WHERE two_dials
    UNION ALL
    SELECT attempt_id, CASE WHEN two_dials THEN 2 ELSE 1 END, outcome,
           first_at + CASE WHEN two_dials THEN INTERVAL 45 MINUTE ELSE INTERVAL 0 MINUTE END,
           agent_id, days_ahead, callback_days, callback_hour
    FROM ended
)
SELECT d.attempt_id, d.dial_seq, d.outcome,
       strftime(d.dial_at, '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at,
       d.agent_id,
       CASE WHEN call_conversation(d.outcome)
            THEN 'rec:' || substr(sha256(concat($seed::VARCHAR, ':', d.attempt_id, ':', d.dial_seq)), 1, 16) END
           AS recording_ref,
       CASE WHEN d.outcome = 'promise_to_pay' THEN strftime($as_of::DATE + d.days_ahead::INTEGER, '%Y-%m-%d') END
           AS promised_date,
       CASE WHEN d.outcome = 'promise_to_pay' THEN greatest(coalesce(o.amount, 0), 1.00)::VARCHAR END AS amount,
       CASE WHEN d.outcome = 'callback_requested'
            THEN strftime($as_of::DATE + d.callback_days::INTEGER, '%Y-%m-%d') END AS callback_date,
       CASE WHEN d.outcome = 'callback_requested' THEN lpad(d.callback_hour::VARCHAR, 2, '0') || ':00' END
           AS callback_from,
       CASE WHEN d.outcome = 'callback_requested' THEN lpad((d.callback_hour + 1)::VARCHAR, 2, '0') || ':00' END
           AS callback_to
FROM dials AS d
LEFT JOIN owed AS o USING (attempt_id)
ORDER BY d.attempt_id, d.dial_seq;
