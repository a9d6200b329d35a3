-- The wording of one contact, for `trace --wording`: returns (subject, body_text) of attempt
-- $attempt_id's message (no row when nothing was rendered for it).
SELECT subject, body_text FROM contact_messages WHERE attempt_id = $attempt_id;
