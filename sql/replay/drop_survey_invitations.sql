-- Removes the survey_invitations rows of the contacts planned for $start and later (replay_dropped): derived by
-- the plan or its dispatch, so the replay makes them again or not at all. Returns nothing.
DELETE FROM survey_invitations WHERE attempt_id IN (SELECT attempt_id FROM replay_dropped);
