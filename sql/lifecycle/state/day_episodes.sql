-- day_episodes (temp view): delinquency episodes as they stand once the day being decided is
-- recorded: delinquency_episodes with episode_changes applied (opened, closed). The planners read
-- it, so deciding a day needs no write; after the day is recorded it equals delinquency_episodes.
CREATE OR REPLACE TEMP VIEW day_episodes AS
SELECT e.episode_id, e.loan_id, e.opened_on, coalesce(e.closed_on, c.closed_on) AS closed_on
FROM delinquency_episodes AS e
LEFT JOIN episode_changes AS c ON c.change = 'close' AND c.episode_id = e.episode_id
UNION ALL
SELECT c.episode_id, c.loan_id, c.opened_on, NULL::DATE
FROM episode_changes AS c
WHERE c.change = 'open' AND NOT EXISTS (SELECT 1 FROM delinquency_episodes AS e WHERE e.episode_id = c.episode_id);
