-- Simulated answers to the surveys sent on local day $as_of (contact_attempts.purpose = 'survey',
-- their survey_invitations row), as WHAT each borrower answers: the simulator writes SMS answers as
-- Twilio inbound SMS whose whole text is the score (landed by ingest_replies' score hook) and e-mail
-- answers as a survey-answer file drop (landed by loan_comms.surveys.ingest_survey_answers, source 'file').
-- Returns one row per answer: token, channel ('sms' | 'email'), scale ('csat' 1-5 | 'nps' 0-10),
-- language (the invitation's: 'zh-CN' | 'en'), score, comment_kind (NULL, or a key of the comment
-- bank in loan_comms/simulation/survey_answers.py: 'frequency', 'conduct', 'negotiation', 'fees',
-- 'neutral', 'praise'; e-mail answers only, about 40% of them), "From" (the number the survey SMS went to,
-- through the recipients view; NULL for e-mail), "MessageSid" / external id ('SIMSURVEY' || attempt),
-- occurred_at (10 minutes to 4 hours after the survey) and "key" (the hash key the wording is drawn from).
-- The experience ("mood", 0.05-0.95) falls 0.035 per contact in the 30 days before the survey
-- (contacts_30d, counted at planning, capped at 15) and rises after a hardship plan (+0.20), a
-- payoff (+0.25) or the end of a delinquency (+0.10). Response rate 10% + 45% x mood; the score is
-- mood plus a hash-drawn spread of +-0.3, mapped onto the scale. A low score's comment names a
-- complaint theme (frequency more often when contacts_30d >= 8), a high one praises.
-- Hash draws on (seed, attempt), so a seed answers the same way every time.
-- Who does not answer by SMS: whoever holds a number reported wrong or reassigned since the survey
-- (a stranger; the day's replies land first, so a "wrong number" reply counts), a number several
-- borrowers hold, and a number sent another SMS after the survey on the same day (its score would
-- answer that message): sql/surveys/open_for_sender.sql would not take those scores as answers.
WITH sent AS (
    SELECT i.token, i.programme, i.scale, i.channel, i.language, i.contacts_30d, a.attempt_id, a.sent_at,
           r.address, r.point_id AS point,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':survey')) % 100000) / 100000.0 AS u,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':survey-score')) % 100000) / 100000.0 AS s,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':survey-comment')) % 1000) / 1000.0 AS c,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':survey-theme')) % 1000) / 1000.0 AS t,
           (hash(concat($seed::VARCHAR, ':', a.attempt_id, ':survey-delay')) % 231) + 10 AS delay_min
    FROM contact_attempts AS a
    JOIN survey_invitations AS i USING (attempt_id)
    LEFT JOIN recipients AS r
      ON a.channel = 'sms' AND r.borrower_id = a.borrower_id AND r.channel = 'sms'
     AND (r.point_id = a.contact_point OR (a.contact_point IS NULL AND r.is_primary))
    WHERE a.planned_for_date = $as_of::DATE AND a.purpose = 'survey' AND a.sent_at IS NOT NULL
      AND a.channel IN ('sms', 'email')
),
felt AS (
    SELECT *,
           least(greatest(0.65 - 0.035 * least(contacts_30d, 15)
                          + CASE programme WHEN 'hardship_plan' THEN 0.20 WHEN 'payoff_nps' THEN 0.25
                                           WHEN 'end_of_delinquency' THEN 0.10 ELSE 0.0 END, 0.05), 0.95) AS mood
    FROM sent
    WHERE channel = 'email'
       OR (address IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM borrower_events AS e
                           WHERE e.kind IN ('wrong_number', 'number_reassigned') AND e.contact_point = sent.point
                             AND e.occurred_at > sent.sent_at)
           AND NOT EXISTS (SELECT 1 FROM contact_attempts AS c
                           WHERE c.channel = 'sms' AND c.contact_point = sent.point AND c.attempt_id <> sent.attempt_id
                             AND c.sent_at >= sent.sent_at AND c.planned_for_date = $as_of::DATE)
           AND (SELECT count(DISTINCT r.borrower_id) FROM recipients AS r
                WHERE r.channel = 'sms' AND r.address = sent.address) = 1)
),
answered AS (
    SELECT *, least(greatest(mood + (s - 0.5) * 0.6, 0.0), 0.9999) AS q
    FROM felt
    WHERE u < 0.10 + 0.45 * mood
)
SELECT token, channel, scale, language,
       CASE WHEN scale = 'csat' THEN 1 + floor(q * 5) ELSE floor(q * 11) END::INTEGER AS score,
       CASE WHEN channel <> 'email' OR c >= 0.4 THEN NULL
            WHEN q < 0.45 THEN (CASE WHEN contacts_30d >= 8 AND t < 0.6 THEN 'frequency'
                                     WHEN t < 0.3 THEN 'frequency' WHEN t < 0.55 THEN 'conduct'
                                     WHEN t < 0.8 THEN 'negotiation' ELSE 'fees' END)
            WHEN q < 0.7 THEN 'neutral'
            ELSE 'praise' END AS comment_kind,
       CASE WHEN channel = 'sms' THEN address END AS "From",
       'SIMSURVEY' || attempt_id AS "MessageSid",
       sent_at + to_minutes(delay_min::BIGINT) AS occurred_at,
       concat($seed::VARCHAR, ':survey:', attempt_id) AS "key"
FROM answered
ORDER BY occurred_at, "MessageSid";
