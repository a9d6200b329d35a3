-- Removes the plan offers the contacts of $start and later carried (derived by the plan's record).
-- Returns nothing.
DELETE FROM arrangement_offers WHERE attempt_id IN (SELECT attempt_id FROM replay_dropped);
