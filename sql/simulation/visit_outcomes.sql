-- Simulated field-team reports for the home visits made on local day $as_of, one row per visit
-- (the export of `loan-comms ingest-visit-outcomes`): 40% met, 35% not at home, 5% refused to
-- talk, 15% a promise to pay (5-10 days ahead), 5% hardship told at the door. Two collectors go
-- on every visit (the China guidance asks for at least two). The report is written an hour into
-- the visit's window. Returns attempt_id, outcome, collectors, occurred_at, promised_date.
-- $answers false (the demo, whose reports are filed after its days have run): what the borrower
-- would have said at the door (a promise, hardship) is reported as 'met', since an answer filed
-- after the fact would rewrite days already run.
WITH visits AS (
    SELECT a.attempt_id, a.sent_at, a.send_before,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':visit')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':team')) % 20) AS team,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 6) + 5 AS days_ahead
    FROM contact_attempts AS a
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'visit' AND a.sent_at IS NOT NULL
)
SELECT attempt_id,
       CASE WHEN r < 0.40 THEN 'met' WHEN r < 0.75 THEN 'not_home' WHEN r < 0.80 THEN 'refused'
            WHEN NOT $answers THEN 'met'
            WHEN r < 0.95 THEN 'promise_to_pay' ELSE 'hardship' END AS outcome,
       'FC' || lpad((2 * team + 1)::VARCHAR, 2, '0') || ',FC' || lpad((2 * team + 2)::VARCHAR, 2, '0') AS collectors,
       strftime(least(sent_at + INTERVAL 1 HOUR, send_before - INTERVAL 1 MINUTE), '%Y-%m-%dT%H:%M:%S+00:00')
           AS occurred_at,
       CASE WHEN $answers AND r >= 0.80 AND r < 0.95 THEN strftime($as_of::DATE + days_ahead::INTEGER, '%Y-%m-%d') END
           AS promised_date
FROM visits
ORDER BY attempt_id;
