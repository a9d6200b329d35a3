-- Simulated dialer results for the calls made on local day $as_of, one row per dial attempt (the
-- dialer's export: attempt_id, dial_seq, outcome, occurred_at, promised_date). A number that is not
-- the borrower's (1.5% of numbers, drawn per number, so every borrower sharing it is affected
-- alike) answers wrong_number on the first dial. Otherwise the call ends 59% no answer, 27%
-- reached, 14% promise to pay (2-6 days ahead); a quarter of the calls that get through were
-- redialed after a first no answer, so an attempt can report no_answer and then reached.
-- Every dial happens inside the contact's window (before send_before). Returns the export's columns.
WITH calls AS (
    SELECT a.attempt_id, a.sent_at, a.send_before,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':call')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':delay')) % 180) AS delay_min,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 5) + 2 AS days_ahead,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':redial')) % 4) = 0 AS redialed,
           (hash(concat($seed::VARCHAR, ':', r.address, ':wrong')) % 1000) < 15 AS wrong_number
    FROM contact_attempts AS a
    JOIN recipients AS r       -- the number the call went to
      ON r.borrower_id = a.borrower_id AND r.channel = 'call'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'call' AND a.sent_at IS NOT NULL
),
ended AS (
    SELECT *,
           CASE WHEN wrong_number THEN 'wrong_number' WHEN r < 0.59 THEN 'no_answer'
                WHEN r < 0.86 THEN 'reached' ELSE 'promise_to_pay' END AS outcome
    FROM calls
),
dials AS (
    SELECT attempt_id, 1 AS dial_seq, 'no_answer' AS outcome, sent_at, sent_at + to_minutes(delay_min::BIGINT) AS dial_at,
           send_before, days_ahead
    FROM ended WHERE redialed AND outcome IN ('reached', 'promise_to_pay')
    UNION ALL
    SELECT attempt_id, CASE WHEN redialed AND outcome IN ('reached', 'promise_to_pay') THEN 2 ELSE 1 END,
           outcome, sent_at,
           sent_at + to_minutes(delay_min::BIGINT)
               + CASE WHEN redialed AND outcome IN ('reached', 'promise_to_pay') THEN INTERVAL 45 MINUTE
                      ELSE INTERVAL 0 MINUTE END,
           send_before, days_ahead
    FROM ended
)
SELECT attempt_id, dial_seq, outcome,
       strftime(greatest(sent_at, least(dial_at, send_before - INTERVAL 1 MINUTE)), '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at,
       CASE WHEN outcome = 'promise_to_pay' THEN strftime($as_of::DATE + days_ahead::INTEGER, '%Y-%m-%d') END
           AS promised_date
FROM dials
ORDER BY attempt_id, dial_seq;
