-- The recorded wording of the replayed days' contacts (contact_messages of replay_recorded_attempts),
-- kept so the compare can say whether the replay renders the same text. Returns nothing.
CREATE OR REPLACE TABLE replay_recorded_messages AS
SELECT m.* FROM contact_messages AS m JOIN replay_recorded_attempts AS a USING (attempt_id);
