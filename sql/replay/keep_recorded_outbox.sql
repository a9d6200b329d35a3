-- The outbox rows of the replayed days' contacts as the book holds them: copied back for a replayed
-- contact the recorded dispatch sent (the audit reads the address a contact went to from the outbox).
-- Returns nothing.
CREATE OR REPLACE TABLE replay_recorded_outbox AS
SELECT o.* FROM outbox_messages AS o JOIN replay_recorded_attempts AS a USING (attempt_id);
