-- Simulated inbound SMS for the SMS sent on local day $as_of: about 1% STOP, 0.8% hardship,
-- 1.7% promise to pay (3-7 days ahead), 0.3% dispute, worded in the borrower's language.
-- Returns rows in Twilio's inbound field names (From, Body, MessageSid) plus occurred_at. The reply
-- comes from the number the SMS went to (its recorded contact point, through the recipients view;
-- the borrower's primary phone for contacts recorded before points were).
WITH sent AS (
    SELECT a.attempt_id, a.sent_at, r.address AS phone_e164, b.language,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':reply')) % 100000) / 100000.0 AS r,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':delay')) % 240) AS delay_min,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':days')) % 5) + 3 AS days_ahead
    FROM contact_attempts AS a JOIN borrowers AS b USING (borrower_id)
    JOIN recipients AS r
      ON r.borrower_id = a.borrower_id AND r.channel = 'sms'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    WHERE a.planned_for_date = $as_of::DATE AND a.channel = 'sms' AND a.sent_at IS NOT NULL
)
SELECT phone_e164 AS "From",
       CASE
           WHEN r < 0.010 THEN CASE WHEN language = 'zh-CN' THEN '退订' ELSE 'STOP' END
           WHEN r < 0.018 THEN CASE WHEN language = 'zh-CN' THEN '困难' ELSE 'HARDSHIP' END
           WHEN r < 0.035 THEN CASE WHEN language = 'zh-CN' THEN '承诺 ' ELSE 'PROMISE ' END
                               || strftime($as_of::DATE + days_ahead::INTEGER, '%Y-%m-%d')
           ELSE CASE WHEN language = 'zh-CN' THEN '异议' ELSE 'DISPUTE' END
       END AS "Body",
       'SIM' || attempt_id AS "MessageSid",
       sent_at + to_minutes(delay_min::BIGINT) AS occurred_at
FROM sent
WHERE r < 0.038
ORDER BY occurred_at, "MessageSid";
