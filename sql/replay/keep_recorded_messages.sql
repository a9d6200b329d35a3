-- The recorded wording of the replayed days' contacts (contact_messages of replay_recorded_attempts),
-- kept so the compare can say whether the replay renders the same text. Returns nothing.
CREATE OR REPLACE TABLE replay_recorded_messages AS
SELECT m.* FROM contact_messages AS m JOIN replay_recorded_attempts AS a USING (attempt_id);
-- And the survey invitations of those contacts (token -> attempt), so an answer to a survey the
-- replay did not send is counted against that contact (orphan_inbound.sql), not against later days.
CREATE OR REPLACE TABLE replay_recorded_invitations AS
SELECT i.token, i.attempt_id FROM survey_invitations AS i JOIN replay_recorded_attempts AS a USING (attempt_id);
