-- Returns, for each SMS text that reads as a score (registered table _score_texts: seq, sender,
-- borrower_id, occurred_at; borrower_id: the borrower inbound/replies_match chose), the survey it
-- answers: its token, its scale (csat | nps) and `answered` (the survey already has an answer; the
-- caller quarantines the text and keeps it a normal reply). A text with no row stays a normal reply.
-- A text answers a survey only when all of these hold (otherwise "4" is just a reply):
--   * the LATEST outbound SMS to the sender's number (contact_attempts: channel sms, contact_point
--     the number's point, sent or delivered, sent_at at or before the text) is that survey, alone
--     at its instant: a bare "1" after a later reminder answers the reminder, not an older survey;
--   * the survey is the matched borrower's, and the number is held (recipients, sms) by no other
--     borrower: on a shared phone the match is a guess (the most recently contacted holder), and a
--     score must never land on another person's survey;
--   * the number has no wrong_number / number_reassigned mark (an operator's or reassigned-numbers
--     event with the point, or a dialer call_outcome 'wrong_number' on it) at or before the text
--     that the survey's borrower has not verified again since ('point_verified' on the point, as
--     sql/lifecycle/state/point_routes.sql reads it): the number is someone else's now;
--   * the survey had not expired when the text came.
WITH texts AS (
    SELECT seq, sender, borrower_id, occurred_at, point_id('phone', sender) AS point
    FROM _score_texts
),
outbound AS (
    SELECT c.attempt_id, c.contact_point, c.sent_at, c.purpose
    FROM contact_attempts AS c
    WHERE c.channel = 'sms' AND c.status IN ('sent', 'delivered') AND c.sent_at IS NOT NULL
      AND c.contact_point IN (SELECT point FROM texts)
),
latest AS (     -- the last SMS that reached the number before each text, when it is the only one then
    SELECT t.seq, arg_max(o.attempt_id, o.sent_at) AS attempt_id, max(o.sent_at) AS sent_at
    FROM texts AS t JOIN outbound AS o ON o.contact_point = t.point AND o.sent_at <= t.occurred_at
    GROUP BY t.seq
),
alone AS (
    SELECT l.seq, l.attempt_id
    FROM latest AS l JOIN texts AS t USING (seq)
    JOIN outbound AS o ON o.contact_point = t.point AND o.sent_at = l.sent_at
    GROUP BY l.seq, l.attempt_id
    HAVING count(*) = 1 AND bool_and(o.purpose = 'survey')
),
holders AS (
    SELECT t.seq, count(DISTINCT r.borrower_id) AS n
    FROM texts AS t JOIN recipients AS r ON r.channel = 'sms' AND r.address = t.sender
    GROUP BY t.seq
),
marks AS (
    SELECT contact_point AS point, occurred_at FROM borrower_events
    WHERE kind IN ('wrong_number', 'number_reassigned') AND contact_point IN (SELECT point FROM texts)
    UNION ALL
    SELECT coalesce(e.contact_point, a.contact_point,   -- the call's point, as point_flags.sql reads it
                    CASE WHEN a.attempt_id IS NULL OR a.contact_point IS NULL THEN point_id('phone', b.phone_e164) END),
           e.occurred_at
    FROM borrower_events AS e
    LEFT JOIN contact_attempts AS a
      ON a.attempt_id = CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.attempt_id') END
    LEFT JOIN borrowers AS b ON b.borrower_id = e.borrower_id
    WHERE e.kind = 'call_outcome'
      AND CASE WHEN json_valid(e.detail) THEN json_extract_string(e.detail, '$.outcome') END = 'wrong_number'
),
verified AS (
    SELECT borrower_id, contact_point AS point, max(occurred_at) AS verified_at
    FROM borrower_events WHERE kind = 'point_verified' AND contact_point IS NOT NULL
    GROUP BY borrower_id, contact_point
)
SELECT t.seq, i.token, i.scale, EXISTS (SELECT 1 FROM survey_answers AS s WHERE s.token = i.token) AS answered
FROM texts AS t
JOIN alone AS a USING (seq)
JOIN survey_invitations AS i ON i.attempt_id = a.attempt_id AND i.channel = 'sms'
JOIN holders AS h USING (seq)
LEFT JOIN verified AS v ON v.borrower_id = i.borrower_id AND v.point = t.point
WHERE i.borrower_id = t.borrower_id AND h.n = 1
  AND i.expires_at >= t.occurred_at
  AND NOT EXISTS (SELECT 1 FROM marks AS m
                  WHERE m.point = t.point AND m.occurred_at <= t.occurred_at
                    AND m.occurred_at > coalesce(v.verified_at, TIMESTAMPTZ '1970-01-01 00:00:00+00'))
ORDER BY t.seq;
