-- Closes the episodes episode_changes says recording $as_of closes: open episodes of loans no
-- longer overdue (none for an older day: a re-run must not close an episode that later days saw
-- open). Returns nothing.
UPDATE delinquency_episodes AS e
SET closed_on = c.closed_on
FROM episode_changes AS c
WHERE c.change = 'close' AND c.episode_id = e.episode_id AND e.closed_on IS NULL;
