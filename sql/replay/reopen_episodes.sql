-- Reopens the episodes a plan of $start or later closed (close_episodes.sql sets closed_on to the
-- day planned): at the start of $start they were open. Returns nothing.
UPDATE delinquency_episodes SET closed_on = NULL WHERE closed_on >= $start;
