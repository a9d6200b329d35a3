-- Records the survey_invitations of one rendered batch (temp table rendered_batch, each survey row
-- with its survey_token), in the transaction that records the contacts (planner._record_rendered):
-- only surveys rendered and recorded (error NULL), each once (a replayed batch adds nothing).
-- expires_at: the contact's window close + [surveys].answer_days days (cfg_surveys). Returns nothing.
INSERT INTO survey_invitations
SELECT r.survey_token, a.attempt_id, s.programme, s.scale, s.borrower_id, s.loan_id, s.channel,
       coalesce(r.language, s.language), s.product, s.trigger_attempt_id, s.last_step, s.dpd_bucket, s.team,
       s.contacts_30d, a.planned_for_date, a.send_before + to_days(c.answer_days)
FROM rendered_batch AS r
JOIN survey_candidates AS s USING (idempotency_key)
JOIN contact_attempts AS a USING (idempotency_key)
CROSS JOIN cfg_surveys AS c
WHERE r.error IS NULL AND r.survey_token IS NOT NULL AND a.purpose = 'survey'
  AND NOT EXISTS (SELECT 1 FROM survey_invitations AS i WHERE i.attempt_id = a.attempt_id OR i.token = r.survey_token);
