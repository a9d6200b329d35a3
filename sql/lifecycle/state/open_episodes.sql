-- Opens the episodes episode_changes says recording $as_of opens (none for an older day). Returns nothing.
INSERT INTO delinquency_episodes (episode_id, loan_id, opened_on)
SELECT c.episode_id, c.loan_id, c.opened_on
FROM episode_changes AS c
WHERE c.change = 'open'
  AND NOT EXISTS (SELECT 1 FROM delinquency_episodes AS e WHERE e.episode_id = c.episode_id);
