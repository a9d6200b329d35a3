-- Returns, for each SMS text that reads as a score (registered table _score_texts: seq, sender,
-- occurred_at), the token of the sender number's latest open survey: an invitation sent by SMS to
-- that number (contact_attempts.contact_point is the number's point, purpose 'survey', sent or
-- delivered before the text), not expired when the text came, and not answered yet. A text with no
-- open survey has no row (it stays a normal reply). Also returns that survey's scale (csat | nps).
SELECT t.seq, arg_max(i.token, c.sent_at) AS token, arg_max(i.scale, c.sent_at) AS scale
FROM _score_texts AS t
JOIN contact_attempts AS c
  ON c.contact_point = point_id('phone', t.sender) AND c.channel = 'sms' AND c.purpose = 'survey'
 AND c.status IN ('sent', 'delivered') AND c.sent_at IS NOT NULL AND c.sent_at <= t.occurred_at
JOIN survey_invitations AS i ON i.attempt_id = c.attempt_id AND i.channel = 'sms'
WHERE i.expires_at >= t.occurred_at
  AND NOT EXISTS (SELECT 1 FROM survey_answers AS a WHERE a.token = i.token)
GROUP BY t.seq
ORDER BY t.seq;
