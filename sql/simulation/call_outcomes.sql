-- Simulated dialer results for the calls made on local day $as_of: 55% no answer, 25% reached,
-- 13% promise to pay (2-6 days ahead), 7% wrong number. Returns the dialer export's columns.
WITH calls AS (
    SELECT a.attempt_id, a.sent_at,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':call')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':delay')) % 180) AS delay_min,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 5) + 2 AS days_ahead
    FROM contact_attempts AS a
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'call' AND a.sent_at IS NOT NULL
)
SELECT attempt_id,
       CASE WHEN r < 0.55 THEN 'no_answer' WHEN r < 0.80 THEN 'reached'
            WHEN r < 0.93 THEN 'promise_to_pay' ELSE 'wrong_number' END AS outcome,
       strftime(sent_at + to_minutes(delay_min::BIGINT), '%Y-%m-%dT%H:%M:%S+00:00') AS occurred_at,
       CASE WHEN r >= 0.80 AND r < 0.93 THEN strftime($as_of::DATE + days_ahead::INTEGER, '%Y-%m-%d') END
           AS promised_date
FROM calls
ORDER BY attempt_id;
